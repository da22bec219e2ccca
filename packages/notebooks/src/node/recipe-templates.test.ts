import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECIPE_NAMES } from '../options.js';
import { expandIncludes, loadRecipeTemplates, templatesDir } from './recipe-templates.js';
import { systemPython } from '../../../../test/support/paths.js';

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

  it('share an average_precision that scores perfect boxes 1 and a half-shifted box 0 above IoU 0.5', async () => {
    const fragment = await readFile(join(templatesDir(), 'fragments', 'average_precision.py'), 'utf8');
    const check = `import numpy as np\n${fragment}\n` +
      'labels = [np.array([[10, 10, 30, 30, 0], [50, 50, 60, 70, 1]], float)]\n' +
      'perfect = [np.array([[10, 10, 30, 30, 0.9, 0], [50, 50, 60, 70, 0.8, 1]], float)]\n' +
      'shifted = [np.array([[20, 10, 40, 30, 0.9, 0]], float)]\n' +
      'print(np.nanmean(average_precision(perfect, labels, 2, [0.5, 0.95])), average_precision(shifted, labels, 2, [0.3, 0.5])[0].tolist())\n';
    const out = execFileSync(systemPython, ['-c', check], { encoding: 'utf8' }).trim();
    // Shifted by half its width: IoU 1/3, so a true positive at 0.3 and nothing at 0.5.
    expect(out).toBe('1.0 [1.0, 0.0]');
  });
});
