// Training an emitted recipe project on this machine (`train.py --local`) with Debian's torch, as the
// notebook and model-handler tests do: one way to run it and one tiny classifier data set.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { emitNotebookProject } from '@defectkit/notebooks';
import { deeppcbDir, systemPython } from './paths.js';

/**
 * Runs `<projectDir>/train.py --local --out <out> <args>` with {@link systemPython} on two threads (OpenMP waits
 * passively, so two trainings on the shared CPUs do not spin against each other), up to 10 minutes. Fails the test,
 * with the tail of stderr, unless it exits 0; returns the run for assertions on what it printed.
 */
export function trainLocally(projectDir: string, out: string, args: readonly string[]): SpawnSyncReturns<string> {
  const run = spawnSync(systemPython, [join(projectDir, 'train.py'), '--local', '--out', out, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
    timeout: 600_000,
  });
  expect(run.status, run.stderr.slice(-3000)).toBe(0);
  return run;
}

/**
 * Writes a two-class image folder (`train|val/TEMPLATE|BOARD/<i>.png`) to `data`: the defect-free template and the
 * inspected board of the first six DeepPCB pairs, downscaled to 96x96; four pairs for training, two for validation.
 */
export async function writeTemplateBoardClasses(data: string): Promise<void> {
  const pairs = readFileSync(join(deeppcbDir, 'PCBData', 'trainval.txt'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 6);
  for (const [i, line] of pairs.entries()) {
    const img = line.trim().split(/\s+/)[0]!;
    for (const [cls, suffix] of [['TEMPLATE', '_temp'], ['BOARD', '_test']] as const) {
      const dir = join(data, i < 4 ? 'train' : 'val', cls);
      mkdirSync(dir, { recursive: true });
      await sharp(join(deeppcbDir, 'PCBData', img.replace(/\.jpg$/, `${suffix}.jpg`))).resize(96, 96).png().toFile(join(dir, `${i}.png`));
    }
  }
}

/** Flags of a short CPU run of the classifier recipe (no loader workers, two threads, batches of four). */
export const tinyClassifierTrainArgs = ['--workers', '0', '--threads', '2', '--batch', '4'] as const;

/**
 * Emits the classifier recipe for {@link writeTemplateBoardClasses} (TEMPLATE vs BOARD, 64x64, one epoch, no
 * pretrained weights) under `work` and trains it; returns the run folder (model.onnx + model.json).
 */
export async function trainTinyClassifier(work: string): Promise<string> {
  const data = join(work, 'classes');
  await writeTemplateBoardClasses(data);
  const project = await emitNotebookProject({ recipe: 'classifier', out: join(work, 'cls-project'), dataset: data, classes: ['TEMPLATE', 'BOARD'], imgsz: 64, epochs: 1, pretrained: false });
  const out = join(work, 'cls-run');
  trainLocally(project.dir, out, tinyClassifierTrainArgs);
  return out;
}
