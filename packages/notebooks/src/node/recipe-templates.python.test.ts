import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templatesDir } from './recipe-templates.js';
import { systemPython } from '../../../../test/support/paths.js';

describe('recipe template fragments under Debian python3 + numpy', () => {
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
