import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { expandImageInputs, parseImageList, readImageList } from './image-files.js';
import { DEFAULT_MODEL, defaultModelDir, findModelFiles } from './load-detector.js';
import { scratchFolder } from '../../../test/support/scratch-folder.js';

const dir = scratchFolder('dk-files-');

describe('expandImageInputs', () => {
  it('expands folders recursively and globs, keeps files and missing paths, drops duplicates', async () => {
    mkdirSync(join(dir, 'boards', 'group1'), { recursive: true });
    for (const name of ['b.PNG', 'a.jpg', 'notes.txt', 'group1/c.tiff', 'group1/d.webp']) writeFileSync(join(dir, 'boards', name), 'x');
    const found = await expandImageInputs([join(dir, 'boards'), join(dir, 'boards', '*.jpg'), join(dir, 'boards', 'notes.txt'), join(dir, 'missing.jpg')]);
    expect(found.map((p) => relative(dir, p))).toEqual(['boards/a.jpg', 'boards/b.PNG', 'boards/group1/c.tiff', 'boards/group1/d.webp', 'boards/notes.txt', 'missing.jpg']);
  });
});


describe('image lists', () => {
  it('parses one path per line, skipping blank lines and # comments, trimming spaces and CR', () => {
    expect(parseImageList('# boards\n\n a.jpg \r\nb c.png\n#x.jpg\n\n')).toEqual([
      { path: 'a.jpg', line: 3 },
      { path: 'b c.png', line: 4 },
    ]);
  });

  it('reads a list file, naming the line of a missing or non-file entry', async () => {
    writeFileSync(join(dir, 'one.jpg'), 'x');
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    writeFileSync(join(dir, 'list.txt'), `${join(dir, 'one.jpg')}\n`);
    expect(await readImageList(join(dir, 'list.txt'))).toEqual([join(dir, 'one.jpg')]);
    writeFileSync(join(dir, 'bad.txt'), `${join(dir, 'one.jpg')}\n\n${join(dir, 'gone.jpg')}\n`);
    await expect(readImageList(join(dir, 'bad.txt'))).rejects.toMatchObject({ code: 'IMAGE_LIST_ENTRY', details: { file: join(dir, 'bad.txt'), line: 3 } });
    writeFileSync(join(dir, 'folder.txt'), `${join(dir, 'a-folder')}\n`);
    await expect(readImageList(join(dir, 'folder.txt'))).rejects.toThrow(/:1: .* is not a file/);
    await expect(readImageList(join(dir, 'no-such-list.txt'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('defaultModelDir', () => {
  it('points at the model of the installed @defectkit/model-pcb-defects, whatever the working directory; DEFECTKIT_MODEL overrides', () => {
    const cwd = process.cwd();
    try {
      vi.stubEnv('DEFECTKIT_MODEL', undefined);
      const shipped = defaultModelDir();
      process.chdir(dir);
      expect(defaultModelDir()).toBe(shipped);
      expect(DEFAULT_MODEL).toBe('@defectkit/model-pcb-defects');
      expect(relative(fileURLToPath(new URL('../../model-pcb-defects/model', import.meta.url)), shipped)).toBe('');
      expect(existsSync(join(shipped, 'model.onnx')) && existsSync(join(shipped, 'model.json'))).toBe(true);
      vi.stubEnv('DEFECTKIT_MODEL', join(dir, 'mine'));
      expect(defaultModelDir()).toBe(join(dir, 'mine'));
    } finally {
      process.chdir(cwd);
      vi.unstubAllEnvs();
    }
  });

  it('a missing model says how to choose one: the loadDetector argument and DEFECTKIT_MODEL (the CLI adds --model)', () => {
    let message = '';
    try {
      findModelFiles(join(dir, 'no-such-model'));
    } catch (error) {
      message = (error as Error).message;
      expect((error as { code?: string }).code).toBe('MODEL_NOT_FOUND');
    }
    for (const way of ['loadDetector(path)', 'DEFECTKIT_MODEL']) expect(message).toContain(way);
    expect(message).not.toMatch(/--[a-z]/); // library messages name no CLI flag
  });
});
