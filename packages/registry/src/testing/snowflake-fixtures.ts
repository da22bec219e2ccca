// Test helpers for the registry end-to-end tests (test/registry-*.test.ts); not part of the public API.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sampleModelCard } from '@defectkit/detector/testing';
import { goldenDir } from '../../../../test/support/paths.js';

/** A model folder built from the golden synthetic Ultralytics fixture (320x320 RGB, 6 classes) plus a card. */
export async function fixtureModelFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-fixture-model-'));
  await copyFile(join(goldenDir, 'fixtures', 'synthetic_ultralytics_detect_bcn.onnx'), join(dir, 'model.onnx'));
  const card = sampleModelCard({ name: 'synthetic-bcn', input: { width: 320, height: 320, channels: 3, stride: 32 }, metrics: { coco: { map50: 0.5 } } });
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  return dir;
}

/** A SNOWFLAKE_HOME folder whose connections.toml points a `local` connection at a snowflake-local URL. */
export async function snowflakeHomeFor(url: string, options: { password?: string; database?: string; schema?: string } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-sfhome-'));
  const toml = [
    'default_connection_name = "local"',
    '',
    '[local]',
    'account = "snowflake_local"',
    'user = "defectkit"',
    `password = "${options.password ?? 'defectkit'}"`,
    `host = "${hostname}"`,
    `port = ${port}`,
    'protocol = "http"',
    `database = "${options.database ?? 'DK'}"`,
    `schema = "${options.schema ?? 'REG'}"`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'connections.toml'), toml);
  await chmod(join(dir, 'connections.toml'), 0o600);
  return dir;
}

/**
 * A loopback TCP proxy in front of a server that can "drop the network": `cut()` resets every open
 * connection and refuses new ones until `restore()`. `cutOnRequest(n, marker)` cuts just before the n-th
 * client request whose bytes contain `marker` would be forwarded.
 */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private seen = 0;
  private trigger: { n: number; marker: string } | undefined;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      this.sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      upstream.connect(this.targetPort, '127.0.0.1');
      client.on('data', (chunk: Buffer) => {
        if (this.trigger && chunk.includes(this.trigger.marker) && ++this.seen >= this.trigger.n) {
          this.trigger = undefined;
          this.cut();
          return;
        }
        // The server accepts only its own Host (DNS-rebinding guard): name the target, as a reverse proxy does.
        upstream.write(Buffer.from(chunk.toString('latin1').replace(/^host: *127\.0\.0\.1:\d+\r$/gim, `Host: 127.0.0.1:${this.targetPort}\r`), 'latin1'));
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  cutOnRequest(n: number, marker: string): void {
    this.seen = 0;
    this.trigger = { n, marker };
  }

  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.server?.close();
    this.server = undefined;
  }

  async restore(): Promise<void> {
    await this.start(this.port);
  }

  async close(): Promise<void> {
    this.cut();
  }
}

/** The ids of the DeepPCB pairs {@link smallDeepPcb} copies. */
export const smallDeepPcbIds = ['00041000', '00041001', '00041002'];

/** A three-pair DeepPCB dataset (upstream layout, no split lists) copied from `deeppcbDir` into a temp folder. */
export async function smallDeepPcb(deeppcbDir: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'defectkit-deeppcb-'));
  const src = join(deeppcbDir, 'PCBData', 'group00041');
  const dst = join(root, 'PCBData', 'group00041');
  await mkdir(join(dst, '00041'), { recursive: true });
  await mkdir(join(dst, '00041_not'), { recursive: true });
  for (const id of smallDeepPcbIds) {
    for (const suffix of ['_test.jpg', '_temp.jpg']) await copyFile(join(src, '00041', `${id}${suffix}`), join(dst, '00041', `${id}${suffix}`));
    await copyFile(join(src, '00041_not', `${id}.txt`), join(dst, '00041_not', `${id}.txt`));
  }
  return root;
}

// An untrained (seeded, random-weight) single-channel detector in the Ultralytics raw layout [1, 4+6, 6400]:
// its detections change with every image, unlike the golden fixture whose output is a stored constant.
const untrainedDetectorPy = String.raw`
import sys, torch, torch.nn as nn
torch.manual_seed(7)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 10, 3, 2, 1))
    def forward(self, x):
        y = self.body(x)
        n, c, h, w = y.shape
        gy, gx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
        cx = (gx + torch.sigmoid(y[:, 0])) * 8
        cy = (gy + torch.sigmoid(y[:, 1])) * 8
        bw = nn.functional.softplus(y[:, 2]) * 24 + 4
        bh = nn.functional.softplus(y[:, 3]) * 24 + 4
        z = y[:, 4:]
        z = (z - z.mean(dim=(2, 3), keepdim=True)) / (z.std(dim=(2, 3), keepdim=True) + 1e-6)
        cls = torch.sigmoid(z * 3 - 13)
        return torch.cat([torch.stack([cx, cy, bw, bh], 1), cls], 1).flatten(2)
torch.onnx.export(Net().eval(), torch.zeros(1, 1, 640, 640), sys.argv[1], input_names=["images"], output_names=["output0"], opset_version=12)
`;

/** The committed export of the untrained detector, so `npm test` needs no Python (`*.python.test.ts` proves it current). */
export const untrainedDetectorOnnx = fileURLToPath(new URL('untrained-detector.onnx', import.meta.url));

/** Writes the untrained detector's ONNX to `out`: the committed copy when `useCommitted`, else exported by `python` with torch. */
export async function exportUntrainedDetector(out: string, python: string, useCommitted: boolean): Promise<void> {
  if (useCommitted && existsSync(untrainedDetectorOnnx)) return copyFile(untrainedDetectorOnnx, out);
  const script = `${out}.export.py`;
  await writeFile(script, untrainedDetectorPy);
  try {
    await promisify(execFile)(python, [script, out]);
  } finally {
    await rm(script, { force: true });
  }
}

let untrained: Promise<string> | undefined;

/**
 * A model folder with an untrained 640x640 single-channel detector exported by Debian's torch (`python`):
 * stride 8, six DeepPCB classes, 50-110 detections per DeepPCB image. Built once per process.
 */
export function untrainedDetectorFolder(python: string): Promise<string> {
  untrained ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-untrained-model-'));
    await exportUntrainedDetector(join(dir, 'model.onnx'), python, true);
    const card = sampleModelCard({ name: 'untrained-pcb' });
    await writeFile(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
    return dir;
  })();
  return untrained;
}
