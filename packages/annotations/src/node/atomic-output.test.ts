import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputExistsError } from '../errors.js';
import { writeFolderAtomically } from './atomic-output.js';
import { removeTempFolders, tempFolder } from './testing/tiny-images.js';

afterAll(removeTempFolders);

describe('writeFolderAtomically', () => {
  it('creates the folder only when the build succeeds, into an absent or empty folder', async () => {
    const dir = await tempFolder();
    await writeFolderAtomically(join(dir, 'a'), false, (temp) => writeFile(join(temp, 'x.txt'), 'x'));
    expect(await readFile(join(dir, 'a', 'x.txt'), 'utf8')).toBe('x');
    await mkdir(join(dir, 'empty'));
    await writeFolderAtomically(join(dir, 'empty'), false, (temp) => writeFile(join(temp, 'y.txt'), 'y'));
    expect(await readdir(join(dir, 'empty'))).toEqual(['y.txt']);
  });

  it('removes its temporary folder and leaves the old output untouched when the build throws', async () => {
    const dir = await tempFolder();
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'old.txt'), 'old');
    const failing = writeFolderAtomically(join(dir, 'out'), true, async (temp) => {
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
    await expect(writeFolderAtomically(join(dir, 'out'), false, async () => {})).rejects.toBeInstanceOf(OutputExistsError);
    await expect(writeFolderAtomically(join(dir, 'file'), false, async () => {})).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await writeFolderAtomically(join(dir, 'out'), true, (temp) => writeFile(join(temp, 'new.txt'), 'new'));
    expect(await readdir(join(dir, 'out'))).toEqual(['new.txt']);
    expect((await readdir(dir)).sort()).toEqual(['file', 'out']);
  });
});
