import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRegistry } from '@defectkit/registry';
import { pcbDefectsModelDir } from '@defectkit/backend-node';
import { devCli, spawnTsx } from './support/tsx-process.js';

const children: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'defectkit-serve-test-'));
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts `defectkit serve <args>` from source and resolves with the URL of its `listening <url>` line. */
function serve(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnTsx([devCli, 'serve', ...args]);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code) => reject(new Error(`defectkit serve exited with ${code} before listening:\n${out}\n${err}`)));
  });
}

describe('defectkit serve', () => {
  it('prints listening <url> on loopback and serves the Vision Lab and the chosen model', async () => {
    const { url, child } = await serve(['--port', '0', '--model', pcbDefectsModelDir]);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Vision Lab');
    const card = (await (await fetch(`${url}models/default/model.json`)).json()) as { name: string };
    expect(card.name).toBe('pcb-defects');
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.exitCode).toBe(0);
  });

  it('serves a version of the local registry (--model registry:NAME@VERSION)', async () => {
    const registryDir = join(scratch, 'registry');
    await new LocalRegistry({ dir: registryDir }).logModel(pcbDefectsModelDir, { name: 'PCB_DEFECTS', version: 'V7' });
    const { url, child } = await serve(['--port', '0', '--model', 'registry:PCB_DEFECTS@V7', '--registry-dir', registryDir]);
    const onnx = await fetch(`${url}models/default/model.onnx`);
    expect(onnx.status).toBe(200);
    expect((await onnx.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
});
