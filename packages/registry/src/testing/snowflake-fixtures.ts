// Test helpers for the registry end-to-end tests (test/registry-*.test.ts); not part of the public API.
import { copyFile, mkdtemp, writeFile, chmod } from 'node:fs/promises';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goldenDir } from '../../../../test/support/paths.js';

/** A model folder built from the golden synthetic Ultralytics fixture (320x320 RGB, 6 classes) plus a card. */
export async function fixtureModelFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-fixture-model-'));
  await copyFile(join(goldenDir, 'fixtures', 'synthetic_ultralytics_detect_bcn.onnx'), join(dir, 'model.onnx'));
  const card = {
    format: 'defectkit.model-card/v1',
    name: 'synthetic-bcn',
    task: 'detect',
    classes: ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'],
    input: { name: 'images', width: 320, height: 320, channels: 3, resize: 'letterbox', batchAxis: true, stride: 32, padValue: 114, scale: 1 / 255, mean: null, std: null },
    output: { layout: 'ultralytics-bcn' },
    thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
    metrics: { coco: { map50: 0.5 } },
  };
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
        upstream.write(chunk);
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
