// DefectKit as a dependency of another app, tried the way an app author would: pack every workspace, install the
// tarballs into a new app in the system temp folder (outside this repository, so nothing resolves back to it) with
// the documented air-gapped setting, then run the README's library example as .mjs and as strictly type-checked .ts,
// and `npx defectkit detect <image> --format json` with no model argument. Runs on the built packages (`npm run
// build`, which `npm ci` runs through `prepare`).
import { execFile, type ExecFileOptionsWithStringEncoding } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { fencedBlocks } from './support/readme-blocks.js';

const run = promisify(execFile);
const app = mkdtempSync(join(tmpdir(), 'defectkit-consumer-'));
const packs = join(app, '.packs');
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** The documented air-gapped install: the variable onnxruntime-node's install script reads (README of backend-node). */
const airGapped = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' };
const inApp = (): ExecFileOptionsWithStringEncoding => ({ cwd: app, env: airGapped, maxBuffer: 64 << 20, encoding: 'utf8' });

/** The root README's library example: the first TypeScript block under "## Library example". */
function libraryExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = fencedBlocks(readme, 'README.md').find((b) => b.lang === 'ts' && b.heading === 'Library example');
  if (!block) throw new Error('README.md has no ```ts block under "## Library example"');
  return block.code;
}

interface PrintedDetection {
  label: string;
  score: number;
  box: number[];
}

/** Parses the example's output lines `label score [x1, y1, x2, y2]`. */
function printedDetections(stdout: string): PrintedDetection[] {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\S+) (\d\.\d\d) \[ ?([\d, ]+?) ?\]$/.exec(line.replace(/\s+/g, ' '));
      if (!match) throw new Error(`unexpected example output line: ${line}`);
      return { label: match[1]!, score: Number(match[2]), box: match[3]!.split(',').map(Number) };
    });
}

let installLog = '';

beforeAll(async () => {
  mkdirSync(packs);
  expect(relative(repoRoot, app).startsWith('..'), 'the app must live outside the repository').toBe(true);
  await run('npm', ['pack', '--workspaces', '--pack-destination', packs, '--silent'], { cwd: repoRoot, env: airGapped, maxBuffer: 16 << 20 });
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
  const workspaces = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  expect(tarballs).toHaveLength(workspaces.length);
  // An app as its author would start it; allowScripts is the npm 11 half of the documented air-gapped setting (the
  // CLI's web app brings esbuild and onnxruntime-web's protobufjs, whose install scripts it does not need either).
  const allowScripts = { 'onnxruntime-node': false, esbuild: false, protobufjs: false };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'consumer-app', private: true, type: 'module', allowScripts }, null, 2)}\n`);
  const { stdout, stderr } = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], inApp());
  installLog = `${stdout}${stderr}`;
  copyFileSync(join(deeppcbDir, 'PCBData', 'group00041', '00041', '00041000_test.jpg'), join(app, 'board.jpg'));
}, 240_000);

describe('an app that installs the packed DefectKit tarballs', () => {
  it('installs without npm warnings, with the model package and no CUDA download', () => {
    expect(installLog, installLog).not.toMatch(/npm warn/i);
    expect(existsSync(join(app, 'node_modules', '@defectkit', 'model-pcb-defects', 'model', 'model.onnx'))).toBe(true);
    const bin = join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch);
    expect(existsSync(join(bin, 'libonnxruntime_providers_cuda.so'))).toBe(false);
  });

  it('runs the README library example as .mjs: detections printed, with the shipped model', async () => {
    writeFileSync(join(app, 'example.mjs'), libraryExample());
    const { stdout } = await run('node', ['example.mjs'], inApp());
    const found = printedDetections(stdout);
    expect(found.length).toBeGreaterThan(0);
    for (const d of found) {
      expect(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']).toContain(d.label);
      expect(d.box).toHaveLength(4);
    }
  });

  it('type-checks the README library example as .ts under strict with the repo typescript, and runs it', async () => {
    writeFileSync(join(app, 'example.ts'), libraryExample());
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--outDir', 'out', '--typeRoots', join(repoRoot, 'node_modules', '@types'), '--types', 'node', 'example.ts'];
    const checked = await run('node', [tsc, ...args], inApp()).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(checked.stdout).toBe(''); // strict type errors would be listed here
    const { stdout } = await run('node', [join('out', 'example.js')], inApp());
    expect(printedDetections(stdout).length).toBeGreaterThan(0);
  });

  it('`npx defectkit detect board.jpg --format json` with no model argument prints detections', async () => {
    const { stdout, stderr } = await run('npx', ['defectkit', 'detect', 'board.jpg', '--format', 'json'], inApp());
    expect(stderr).not.toMatch(/npm warn/i);
    const [item] = JSON.parse(stdout) as { image: string; detections: { label: string; score: number }[] }[];
    expect(item!.image).toBe('board.jpg');
    expect(item!.detections.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/^pcb-defects: 6 classes/m);
  });

  it('without the native onnxruntime binding, loadDetector throws ONNXRUNTIME_NOT_INSTALLED saying what to do', async () => {
    const binding = join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
    rmSync(binding);
    const probe = "import { loadDetector } from '@defectkit/backend-node';\ntry { await loadDetector(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }\n";
    writeFileSync(join(app, 'probe.mjs'), probe);
    const { stdout } = await run('node', ['probe.mjs'], inApp());
    const { code, message } = JSON.parse(stdout) as { code: string; message: string };
    expect(code).toBe('ONNXRUNTIME_NOT_INSTALLED');
    expect(message).toContain(`${process.platform}-${process.arch}`);
    expect(message).toContain('npm rebuild onnxruntime-node');
    expect(message).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
  });
});
