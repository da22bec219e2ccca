import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECIPE_NAMES } from '../options.js';
import { expandIncludes, loadRecipeTemplates } from './recipe-templates.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('recipe templates', () => {
  it('splice shared fragments in place of include lines, so every script is self-contained', async () => {
    const templates = await loadRecipeTemplates();
    for (const name of RECIPE_NAMES) {
      expect(templates[name]).not.toMatch(/# defectkit:include/);
      expect(templates[name]).toMatch(/^def stage_download\(session, stage_path, local_dir\):$/m);
    }
    expect(templates['pcb-detector']).toMatch(/^def read_yaml\(path\):$/m);
  });

  it('name the template and line of an include whose fragment does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-fragments-'));
    made.push(dir);
    await mkdir(join(dir, 'fragments'));
    await writeFile(join(dir, 'fragments', 'known.py'), 'def known():\n    return 1\n');
    expect(await expandIncludes('a = 1\n# defectkit:include known\nb = 2\n', 't.py', dir)).toBe('a = 1\ndef known():\n    return 1\nb = 2\n');
    await expect(expandIncludes('x\n# defectkit:include missing\n', 't.py', dir)).rejects.toMatchObject({
      code: 'NOTEBOOK_TEMPLATE',
      details: { template: 't.py', line: 2 },
    });
  });
});
