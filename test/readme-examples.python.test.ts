// The README shell blocks marked `python` (they need Debian's Python stack or CPython 3.11, e.g. the snowflake-local
// steps whose model handler runs in Python), run top to bottom as written in a scratch checkout with a scratch HOME.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allBlocks, blockEnv, isShell, runShellBlock, scratchCheckout } from './support/readme-runner.js';

const python = allBlocks().filter((b) => isShell(b) && b.tags.includes('python'));
const scratches: string[] = [];
afterAll(() => scratches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('README shell blocks that need Python run as written', () => {
  it('there is at least the snowflake-local block of the root README', () => {
    expect(python.some((b) => b.file === 'README.md' && b.code.includes('snowflake-local'))).toBe(true);
  });

  it.each(python.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', async (_where, block) => {
    const scratch = scratchCheckout();
    scratches.push(scratch.root);
    const { code, output } = await runShellBlock(block, scratch.cwd, blockEnv(scratch.home));
    expect(code, `${block.file}:${block.line} failed:\n${output.slice(-4000)}`).toBe(0);
    if (block.file === 'README.md') {
      // The connection it registered, and detections from the remote predict.
      expect(readFileSync(join(scratch.home, '.snowflake', 'connections.toml'), 'utf8')).toMatch(/^\[local\]$/m);
      const json = output.slice(output.indexOf('[\n'));
      const [item] = JSON.parse(json.slice(0, json.lastIndexOf(']') + 1)) as { detections: unknown[] }[];
      expect(item!.detections.length).toBeGreaterThan(0);
      expect(existsSync(join(scratch.cwd, '.defectkit', 'snowflake-local'))).toBe(true);
    }
  }, 300_000);
});
