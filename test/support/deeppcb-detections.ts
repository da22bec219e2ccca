import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDetectJson, type DetectedImage } from '@defectkit/inspection';
import { cli } from './run-cli.js';
import { deeppcbDir } from './paths.js';

/** The DeepPCB boards the inspection tests log: `*_test.jpg` images and their `*_temp.jpg` templates. */
export function deeppcbBoardImages(count = 6): string[] {
  const folder = join(deeppcbDir, 'PCBData', 'group00041', '00041');
  return Array.from({ length: count }, (_, i) => `0004100${i}`).flatMap((id) => [join(folder, `${id}_test.jpg`), join(folder, `${id}_temp.jpg`)]);
}

/** Runs the real `defectkit detect` (the shipped model) on the boards and reads its JSON back: the tests' ground truth. */
export async function detectDeepPcbBoards(count = 6): Promise<{ results: DetectedImage[]; file: string; images: string[] }> {
  const file = join(await mkdtemp(join(tmpdir(), 'defectkit-inspection-')), 'detect.json');
  const images = deeppcbBoardImages(count);
  const run = await cli('detect', ...images, '--out', file);
  if (run.code !== 0) throw new Error(`detect failed: ${run.stderr}`);
  return { results: await readDetectJson(file), file, images };
}
