import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:browser`: the `*.browser.test.ts` files, which drive Debian's headless Chromium (/usr/bin/chromium,
// through playwright-core; never a downloaded browser). One file at a time: each starts a browser and onnxruntime-web.
export default mergeConfig(
  { ...base, test: { ...base.test, include: [], exclude: [] } },
  defineConfig({
    test: {
      include: ['test/**/*.browser.test.ts'],
      exclude: ['**/node_modules/**'],
      fileParallelism: false,
      testTimeout: 300_000,
      hookTimeout: 600_000,
    },
  }),
);
