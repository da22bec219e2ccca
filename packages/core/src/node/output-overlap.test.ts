import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefectKitError } from '../errors.js';
import { OutputOverlapError } from './errors.js';
import { assertOutputsApart, canonicalPath } from './output-overlap.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'defectkit-overlap-'));
  await mkdir(join(dir, 'data', 'boards'), { recursive: true });
  await writeFile(join(dir, 'data', 'boards', 'a.jpg'), 'a');
  await symlink(join(dir, 'data'), join(dir, 'alias'));
  await symlink(join(dir, 'data', 'boards'), join(dir, 'elsewhere-link'));
  await link(join(dir, 'data', 'boards', 'a.jpg'), join(dir, 'hard.jpg'));
  await mkdir(join(dir, 'out'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The overlap error for one output/input pair, or undefined when they are apart. */
async function overlap(output: string, input: string): Promise<DefectKitError | undefined> {
  try {
    await assertOutputsApart([output], [input]);
    return undefined;
  } catch (error) {
    if (!DefectKitError.isInstance(error)) throw error;
    return error;
  }
}

describe('canonicalPath', () => {
  it('resolves links and .. for the part that exists and keeps the rest', async () => {
    expect(await canonicalPath(join(dir, 'alias', 'boards', 'new', 'x.txt'))).toBe(join(dir, 'data', 'boards', 'new', 'x.txt'));
    // The kernel follows elsewhere-link before `..`: the parent is data/, not dir/.
    expect(await canonicalPath(`${join(dir, 'elsewhere-link')}/../y`)).toBe(join(dir, 'data', 'y'));
    expect(await canonicalPath(relative(process.cwd(), join(dir, 'out')))).toBe(join(dir, 'out'));
  });
});

describe('assertOutputsApart', () => {
  const cases: [string, (d: string) => [string, string], 'is' | 'contains' | 'is inside'][] = [
    ['the same folder', (d) => [join(d, 'data'), join(d, 'data')], 'is'],
    ['the same folder with a trailing slash and ./', (d) => [`${join(d, 'data')}/./`, join(d, 'data')], 'is'],
    ['the same folder through a symlink', (d) => [join(d, 'alias'), join(d, 'data')], 'is'],
    ['the same folder through ..', (d) => [join(d, 'data', 'boards', '..'), join(d, 'data')], 'is'],
    ['the input file itself', (d) => [join(d, 'data', 'boards', 'a.jpg'), join(d, 'data', 'boards', 'a.jpg')], 'is'],
    ['the input file through a linked folder', (d) => [join(d, 'alias', 'boards', 'a.jpg'), join(d, 'data', 'boards', 'a.jpg')], 'is'],
    ['a hard link of the input file', (d) => [join(d, 'hard.jpg'), join(d, 'data', 'boards', 'a.jpg')], 'is'],
    ['a folder around the input folder', (d) => [d, join(d, 'data')], 'contains'],
    ['a folder around the input file', (d) => [join(d, 'data'), join(d, 'data', 'boards', 'a.jpg')], 'contains'],
    ['a new folder inside the input', (d) => [join(d, 'data', 'converted'), join(d, 'data')], 'is inside'],
    ['a new file inside the input, through a link', (d) => [join(d, 'alias', 'deep', 'new', 'r.json'), join(d, 'data')], 'is inside'],
    ['a path below the input file', (d) => [join(d, 'data', 'boards', 'a.jpg', 'x'), join(d, 'data', 'boards', 'a.jpg')], 'is inside'],
  ];
  for (const [name, paths, how] of cases) {
    it(`refuses ${name}`, async () => {
      const [output, input] = paths(dir);
      const error = await overlap(output, input);
      expect(error).toBeInstanceOf(OutputOverlapError);
      expect(error).toMatchObject({ code: 'OUTPUT_OVERLAPS_INPUT', details: { output, input } });
      expect(error!.message).toContain(` ${how} the input `);
    });
  }

  it('accepts siblings, including ones whose names start with the input name', async () => {
    expect(await overlap(join(dir, 'out'), join(dir, 'data'))).toBeUndefined();
    expect(await overlap(join(dir, 'data-yolo'), join(dir, 'data'))).toBeUndefined();
    expect(await overlap(join(dir, 'data', 'boards', 'a.jpg.txt'), join(dir, 'data', 'boards', 'a.jpg'))).toBeUndefined();
    expect(await overlap(join(dir, 'out', 'a.png'), join(dir, 'data', 'boards', 'a.jpg'))).toBeUndefined();
  });

  it('checks every output against every input', async () => {
    await expect(assertOutputsApart([join(dir, 'out'), join(dir, 'data', 'x')], [join(dir, 'missing'), join(dir, 'data')])).rejects.toMatchObject({
      code: 'OUTPUT_OVERLAPS_INPUT',
      details: { output: join(dir, 'data', 'x') },
    });
  });
});
