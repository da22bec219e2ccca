import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:python`: only the `*.python.test.ts` files, which need Debian's python3 with torch, torchvision,
// onnx, numpy, OpenCV, PyYAML and Pillow (test/support/check-python-stack.mjs checks for them first).
export default mergeConfig(
  { ...base, test: { ...base.test, include: [], exclude: [] } },
  defineConfig({ test: { include: ['packages/*/src/**/*.python.test.ts', 'test/**/*.python.test.ts'], exclude: ['**/node_modules/**'] } }),
);
