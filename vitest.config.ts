import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source, so `npm test` never depends on a stale build.
const alias = readdirSync('packages')
  .filter((name) => existsSync(join('packages', name, 'src', 'index.ts')))
  .flatMap((name) => {
    const src = resolve('packages', name, 'src');
    return [
      { find: new RegExp(`^@defectkit/${name}/(.+)$`), replacement: `${src}/$1/index.ts` },
      { find: new RegExp(`^@defectkit/${name}$`), replacement: `${src}/index.ts` },
    ];
  });

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that need Debian's Python stack run in `npm run test:python` (vitest.python.config.ts), so `npm test`
    // passes on a machine with Node and npm only.
    // Browser tests (headless Chromium) run in `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['**/node_modules/**', '**/*.python.test.ts', '**/*.browser.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
