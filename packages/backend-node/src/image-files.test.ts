import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { expandImageInputs } from './image-files.js';
import { DEFAULT_MODEL, defaultModelDir } from './load-detector.js';

const dir = mkdtempSync(join(tmpdir(), 'dk-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandImageInputs', () => {
  it('expands folders recursively and globs, keeps files and missing paths, drops duplicates', async () => {
    mkdirSync(join(dir, 'boards', 'group1'), { recursive: true });
    for (const name of ['b.PNG', 'a.jpg', 'notes.txt', 'group1/c.tiff', 'group1/d.webp']) writeFileSync(join(dir, 'boards', name), 'x');
    const found = await expandImageInputs([join(dir, 'boards'), join(dir, 'boards', '*.jpg'), join(dir, 'boards', 'notes.txt'), join(dir, 'missing.jpg')]);
    expect(found.map((p) => relative(dir, p))).toEqual(['boards/a.jpg', 'boards/b.PNG', 'boards/group1/c.tiff', 'boards/group1/d.webp', 'boards/notes.txt', 'missing.jpg']);
  });
});

describe('writeFileAtomic', () => {
  it('creates folders, replaces files, and leaves nothing behind when it fails', async () => {
    const target = join(dir, 'out', 'deep', 'r.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(readdirSync(join(dir, 'out', 'deep'))).toEqual(['r.txt']);
    writeFileSync(join(dir, 'file'), 'x');
    await expect(writeFileAtomic(join(dir, 'file', 'child.txt'), 'x')).rejects.toMatchObject({ code: 'OUTPUT_WRITE', details: { file: join(dir, 'file', 'child.txt') } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('defaultModelDir', () => {
  it('points at models/pcb-defects of the install, whatever the working directory; DEFECTKIT_MODEL_DIR overrides', () => {
    const cwd = process.cwd();
    const saved = process.env.DEFECTKIT_MODEL_DIR;
    try {
      delete process.env.DEFECTKIT_MODEL_DIR;
      const fromRepo = defaultModelDir();
      process.chdir(dir);
      expect(defaultModelDir()).toBe(fromRepo);
      expect(fromRepo.endsWith(DEFAULT_MODEL)).toBe(true);
      expect(relative(join(fromRepo, '..', '..'), fileURLToPath(new URL('../../..', import.meta.url)))).toBe('');
      process.env.DEFECTKIT_MODEL_DIR = join(dir, 'mine');
      expect(defaultModelDir()).toBe(join(dir, 'mine'));
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.DEFECTKIT_MODEL_DIR;
      else process.env.DEFECTKIT_MODEL_DIR = saved;
    }
  });
});
