// `defectkit detect` with thousands of long file arguments, and with --from-list, run as a real child process:
// onnxruntime-node 1.30 used to crash (SIGSEGV) while creating its first session whenever the command line was
// longer than about 28.9 KB (see packages/backend-node/src/onnxruntime-telemetry.ts for the root cause).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { deeppcbDir, systemPython } from './support/paths.js';
import { devCli, runTsx } from './support/tsx-process.js';

const COUNT = 2000;

let dir: string;
let model: string;
let images: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'defectkit-long-args-'));
  model = makeTinyModel(join(dir, 'model'), systemPython);
  const group = join(deeppcbDir, 'PCBData', 'group00041', '00041');
  const sources = readdirSync(group)
    .filter((name) => name.endsWith('_test.jpg'))
    .sort()
    .slice(0, 4)
    .map((name) => join(group, name));
  expect(sources).toHaveLength(4);
  // 40 folders with long names, 50 links each: every path is over 200 characters, about 0.44 MB of arguments.
  images = [];
  for (let f = 0; f < COUNT / 50; f++) {
    const folder = join(dir, 'boards', `${'inspection-line-'.repeat(5)}${f}`, `${'camera-station-'.repeat(5)}${f}`);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 50; i++) {
      const path = join(folder, `board-${String(f * 50 + i).padStart(5, '0')}_test.jpg`);
      symlinkSync(sources[i % sources.length]!, path);
      images.push(path);
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The images named in a `--format json` results file. */
function resultImages(file: string): string[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { image: string }[]).map((entry) => entry.image);
}

describe('defectkit detect with very long command lines', () => {
  it(`processes ${COUNT} long file arguments`, async () => {
    expect(images.join(' ').length).toBeGreaterThan(10 * 28_900);
    const out = join(dir, 'args.json');
    const run = await runTsx([devCli, 'detect', ...images, '--model', model, '--format', 'json', '--out', out]);
    expect(run.signal, run.stderr.slice(-2000)).toBeNull();
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stderr).toContain(`${COUNT} images: ${COUNT} processed, 0 failed`);
    expect(resultImages(out).sort()).toEqual([...images].sort());
  });

  it(`reads ${COUNT} images from --from-list (a file with comments and blank lines, and standard input)`, async () => {
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# boards of the night shift\n\n${images.map((path, i) => (i % 100 === 0 ? `  ${path}  \r` : path)).join('\n')}\n\n# end\n`);
    const fromFile = await runTsx([devCli, 'detect', '--from-list', list, '--model', model, '--format', 'json', '--out', join(dir, 'list.json')]);
    expect(fromFile.code, fromFile.stderr.slice(-2000)).toBe(0);
    expect(resultImages(join(dir, 'list.json'))).toEqual(images);

    const fromStdin = await runTsx([devCli, 'detect', '--from-list', '-', '--model', model, '--format', 'json'], `${images.slice(0, 300).join('\n')}\n`);
    expect(fromStdin.code, fromStdin.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(fromStdin.stdout).map((entry: { image: string }) => entry.image)).toEqual(images.slice(0, 300));
  });

  it('refuses a list naming a missing file with a typed error naming the line, before running anything', async () => {
    const list = join(dir, 'broken.txt');
    writeFileSync(list, `${images[0]}\n# comment\n${join(dir, 'nope', 'missing.jpg')}\n${images[1]}\n`);
    const run = await runTsx([devCli, 'detect', '--from-list', list, '--model', model]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('IMAGE_LIST_ENTRY');
    expect(run.stderr).toContain(`${list}:3: ${join(dir, 'nope', 'missing.jpg')} does not exist`);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toBe('');
  });

  it('the library loads and runs a detector in a process with a long command line', async () => {
    const script = join(dir, 'library.mts');
    writeFileSync(
      script,
      [
        "import { loadDetector } from '@defectkit/backend-node';",
        'const [model, image] = process.argv.slice(2);',
        'const detector = await loadDetector(model!);',
        'const result = await detector.detect(image!);',
        "process.stdout.write(JSON.stringify({ argvBytes: process.argv.join(' ').length, width: result.width }));",
        'await detector.dispose();',
      ].join('\n'),
    );
    const run = await runTsx([script, model, images[0]!, ...images]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const answer = JSON.parse(run.stdout) as { argvBytes: number; width: number };
    expect(answer.argvBytes).toBeGreaterThan(10 * 28_900);
    expect(answer.width).toBe(640);
  });
});
