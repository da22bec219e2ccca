// Child process for the lock tests: takes the lock at argv[2] with the real withFileLock, says "locked" on
// stdout, then holds it until killed (or, with argv[3] = "increment <file> <n>", does n locked read-modify-writes).
import { readFile, writeFile } from 'node:fs/promises';
import { withFileLock } from '../file-lock.js';

const [lock, mode, file, count] = process.argv.slice(2);
if (mode === 'increment') {
  for (let i = 0; i < Number(count); i++) {
    await withFileLock(lock!, async () => {
      const value = Number(await readFile(file!, 'utf8'));
      await writeFile(file!, String(value + 1));
    });
  }
  process.stdout.write('done\n');
} else {
  await withFileLock(lock!, async () => {
    process.stdout.write('locked\n');
    await new Promise(() => setInterval(() => undefined, 1 << 30)); // a live handle keeps the process (and the lock) alive
  });
}
