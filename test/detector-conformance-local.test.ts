import { join } from 'node:path';
import { describeImageInput } from '@defectkit/core';
import { loadDetector } from '@defectkit/backend-node';
import { describeDetectorConformance } from '@defectkit/detector/testing';
import { deeppcbDir, repoRoot } from './support/paths.js';

// The shipped model on DeepPCB test boards: the local onnxruntime-node detector must pass the one detector contract.
const images = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg', '00041003_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describeDetectorConformance('local LocalDetector (onnxruntime-node, models/pcb-defects)', () => ({
  create: () => loadDetector(join(repoRoot, 'models', 'pcb-defects')),
  images,
  // A missing file, and bytes that are not an image.
  badImages: [join(deeppcbDir, 'PCBData', 'group00041', '00041', 'no-such-board_test.jpg'), new TextEncoder().encode('not an image')],
  describe: describeImageInput,
}));

describeDetectorConformance('local LocalDetector (onnxruntime-node in 2 worker threads, models/pcb-defects)', () => ({
  create: () => loadDetector(join(repoRoot, 'models', 'pcb-defects'), { workers: 2 }),
  images,
  badImages: [join(deeppcbDir, 'PCBData', 'group00041', '00041', 'no-such-board_test.jpg'), new TextEncoder().encode('not an image')],
  describe: describeImageInput,
}));
