import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputExistsError } from '../errors.js';
import { writeFileAtomic, writeFileAtomicSync, writeFolderAtomically } from './atomic-output.js';
import { FileSystemError } from './errors.js';

const made: string[] = [];
async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-atomic-'));
  made.push(dir);
  return dir;
}
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('writeFolderAtomically', () => {
  it('creates the folder only when the build succeeds, into an absent or empty folder', async () => {
    const dir = await tempFolder();
    await writeFolderAtomically(join(dir, 'a'), {}, (temp) => writeFile(join(temp, 'x.txt'), 'x'));
    expect(await readFile(join(dir, 'a', 'x.txt'), 'utf8')).toBe('x');
    await mkdir(join(dir, 'empty'));
    await writeFolderAtomically(join(dir, 'empty'), {}, (temp) => writeFile(join(temp, 'y.txt'), 'y'));
    expect(await readdir(join(dir, 'empty'))).toEqual(['y.txt']);
  });

  it('removes its temporary folder and leaves the old output untouched when the build throws', async () => {
    const dir = await tempFolder();
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'old.txt'), 'old');
    const failing = writeFolderAtomically(join(dir, 'out'), { overwrite: true }, async (temp) => {
      await writeFile(join(temp, 'half.txt'), 'half');
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect((await readdir(dir)).sort()).toEqual(['out']);
    expect(await readdir(join(dir, 'out'))).toEqual(['old.txt']);
  });

  it('refuses a non-empty folder or a file in the way without overwrite, replaces the folder with it', async () => {
    const dir = await tempFolder();
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'old.txt'), 'old');
    await writeFile(join(dir, 'file'), 'f');
    await expect(writeFolderAtomically(join(dir, 'out'), {}, async () => {})).rejects.toBeInstanceOf(OutputExistsError);
    await expect(writeFolderAtomically(join(dir, 'file'), {}, async () => {})).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await writeFolderAtomically(join(dir, 'out'), { overwrite: true }, (temp) => writeFile(join(temp, 'new.txt'), 'new'));
    expect(await readdir(join(dir, 'out'))).toEqual(['new.txt']);
    expect((await readdir(dir)).sort()).toEqual(['file', 'out']);
  });

  it("throws the caller's own error for a non-empty output", async () => {
    const dir = await tempFolder();
    await writeFile(join(dir, 'taken'), 'x');
    const existsError = (output: string) => new Error(`custom: ${output}`);
    await expect(writeFolderAtomically(join(dir, 'taken'), { existsError }, async () => {})).rejects.toThrow('custom:');
  });
});

describe('writeFileAtomic', () => {
  it('creates folders, replaces files and leaves no temporary file behind', async () => {
    const dir = await tempFolder();
    const target = join(dir, 'out', 'deep', 'r.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, new TextEncoder().encode('two'));
    expect(await readFile(target, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'out', 'deep'))).toEqual(['r.txt']);
  });

  it('fails with a typed error naming the file, and cleans up', async () => {
    const dir = await tempFolder();
    await writeFile(join(dir, 'file'), 'x');
    await expect(writeFileAtomic(join(dir, 'file', 'child.txt'), 'x')).rejects.toMatchObject({ code: 'NOT_A_FOLDER', details: { file: join(dir, 'file', 'child.txt') } });
    await mkdir(join(dir, 'folder'));
    await expect(writeFileAtomic(join(dir, 'folder'), 'x')).rejects.toBeInstanceOf(FileSystemError);
    await expect(writeFileAtomic(join(dir, 'folder'), 'x')).rejects.toMatchObject({ code: 'IS_A_FOLDER' });
    expect((await readdir(dir)).sort()).toEqual(['file', 'folder']);
    expect(await readdir(join(dir, 'folder'))).toEqual([]);
  });

  it('writes devices through (never renamed over) and maps a full disk to DISK_FULL', async () => {
    if (process.platform !== 'linux') return;
    const before = await stat('/dev/null');
    await writeFileAtomic('/dev/null', 'discarded');
    const after = await stat('/dev/null');
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.ino).toBe(before.ino);
    // /dev/full answers every write with ENOSPC.
    await expect(writeFileAtomic('/dev/full', 'x')).rejects.toMatchObject({ code: 'DISK_FULL', details: { file: '/dev/full', errno: 'ENOSPC' } });
    expect((await stat('/dev/full')).isCharacterDevice()).toBe(true);
  });
});

describe('writeFileAtomicSync and the mode option', () => {
  it('writes synchronously with the same guarantees, and creates files with the given mode', async () => {
    const dir = await tempFolder();
    writeFileAtomicSync(join(dir, 'a', 'state.json'), '{}');
    expect(await readFile(join(dir, 'a', 'state.json'), 'utf8')).toBe('{}');
    await writeFile(join(dir, 'file'), 'x');
    expect(() => writeFileAtomicSync(join(dir, 'file', 'x.json'), '{}')).toThrow(FileSystemError);
    expect(() => writeFileAtomicSync(join(dir, 'file', 'x.json'), '{}')).toThrow(/is a file, not a folder/);
    writeFileAtomicSync(join(dir, 'secret-sync'), 's', { mode: 0o600 });
    await writeFileAtomic(join(dir, 'secret'), 's', { mode: 0o600 });
    expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'secret-sync'))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['a', 'file', 'secret', 'secret-sync']);
  });
});
