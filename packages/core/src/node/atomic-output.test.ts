import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputExistsError } from '../errors.js';
import { writeFolderAtomically } from './atomic-output.js';

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
