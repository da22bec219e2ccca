// The dataset `defectkit snowflake deploy --data` (uploadDataset, YOLO) puts on the stage is what the notebook reads:
// the emitted faster-rcnn train.py's own stage_download runs on snowflake-local's real LIST answer (each GET served
// from the stage's real bytes), then its own loader (open_yolo_dataset + load_split) reads data.yaml, the images and
// their labels/ files under Debian's python3, and the boxes equal the label files written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileUrlSql, SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { writeText, writeTinyImage } from '../packages/annotations/src/node/testing/tiny-images.js';
import { cli } from './support/run-cli.js';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-deploy-data-'));
let server: Awaited<ReturnType<typeof startSnowflakeLocal>>;
let session: SnowflakeSession;

beforeAll(async () => {
  server = await startSnowflakeLocal();
  vi.stubEnv('SNOWFLAKE_HOME', await snowflakeHomeFor(server.url, { database: 'DK', schema: 'REG' }));
  vi.stubEnv('DEFECTKIT_HOME', join(work, 'home'));
  session = await SnowflakeSession.connect({});
  const data = join(work, 'yolo');
  // data.yaml's path points where it was written (not here): the loader falls back to the yaml's folder.
  await writeText(join(data, 'data.yaml'), `path: ${join(work, 'gone')}\ntrain: images/train\nval: images/val\nnames: [open, short, mousebite, spur, copper, pin-hole]\n`);
  await writeTinyImage(join(data, 'images', 'train', 'a.jpg'), 64, 48);
  await writeText(join(data, 'labels', 'train', 'a.txt'), '0 0.5 0.5 0.2 0.2\n4 0.25 0.25 0.125 0.25\n');
  await writeTinyImage(join(data, 'images', 'train', 'b.jpg'), 64, 48); // no label file: an image without boxes
  await writeTinyImage(join(data, 'images', 'val', 'c.jpg'), 64, 48);
  await writeText(join(data, 'labels', 'val', 'c.txt'), '1 0.5 0.5 0.5 0.5\n');
});

afterAll(async () => {
  await session?.close();
  await server?.close();
  vi.unstubAllEnvs();
  rmSync(work, { recursive: true, force: true });
});

describe('deployed dataset read by the notebook loader', () => {
  it('stage_download + open_yolo_dataset + load_split of the emitted train.py read back every box', async () => {
    const run = await cli('snowflake', 'deploy', '--recipe', 'faster-rcnn', '--data', join(work, 'yolo'), '--connection', 'local', '--json');
    expect(run.code, run.stderr).toBe(0);
    const stagePath = '@DEFECTKIT_PCB_DEFECTS_FRCNN.TRAINING.DEFECTKIT_STAGE/datasets/pcb-defects-frcnn';
    // snowflake-local's real LIST answer, and a mirror of the stage's bytes fetched with GET (file by file).
    const listing = await session.execute(`LIST ${stagePath}/`);
    const mirror = join(work, 'mirror');
    for (const row of listing) {
      const rel = String(row.name).split('/').slice(3).join('/'); // defectkit_stage/datasets/<name>/<rel>
      const folder = join(mirror, posix.dirname(rel));
      mkdirSync(folder, { recursive: true });
      await session.execute(`GET ${stagePath}/${rel} ${fileUrlSql(`${folder}/`)}`);
    }
    writeFileSync(join(work, 'listing.json'), JSON.stringify(listing.map((r) => ({ name: String(r.name) }))));

    const harness = [
      'import importlib.util, json, os, pathlib, shutil, sys, types',
      "spec = importlib.util.spec_from_file_location('train', os.environ['TRAIN_PY'])",
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      "listing = json.load(open(os.environ['LISTING']))",
      'class Rows:',
      '    def __init__(self, rows): self.rows = rows',
      '    def collect(self): return self.rows',
      'class Files:',
      '    def get(self, src, target):',
      "        rel = src.split(os.environ['STAGE_PATH'] + '/', 1)[1]",
      "        shutil.copyfile(os.path.join(os.environ['MIRROR'], rel), os.path.join(target, os.path.basename(rel)))",
      'class Session:',
      '    file = Files()',
      '    def sql(self, q):',
      "        assert q == f\"LIST {os.environ['STAGE_PATH']}/\", q",
      '        return Rows(listing)',
      "out = pathlib.Path(os.environ['OUT'])",
      "data_dir = m.stage_download(Session(), m.CONFIG['dataset'], out)",
      'names, root, yaml_spec = m.open_yolo_dataset(data_dir, [])',
      "args = types.SimpleNamespace(max_images=0)",
      "tr_im, tr_lb = m.load_split(root, yaml_spec['train'], args, len(names))",
      "va_im, va_lb = m.load_split(root, yaml_spec['val'], args, len(names))",
      "print(json.dumps({'names': names, 'root': str(root) == str(data_dir), 'train': [l.astype(float).round(3).tolist() for l in tr_lb], 'val': [l.astype(float).round(3).tolist() for l in va_lb], 'shapes': [list(i.shape) for i in tr_im + va_im]}))",
    ].join('\n');
    const project = join(work, 'project');
    expect((await cli('notebook', 'emit', '--recipe', 'faster-rcnn', '--out', project)).code).toBe(0);
    const r = spawnSync(systemPython, ['-c', harness], {
      encoding: 'utf8',
      env: { ...process.env, TRAIN_PY: join(project, 'train.py'), LISTING: join(work, 'listing.json'), MIRROR: mirror, STAGE_PATH: stagePath, OUT: join(work, 'downloaded') },
    });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { names: string[]; root: boolean; train: number[][][]; val: number[][][]; shapes: number[][] };
    expect(got.names).toEqual(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']);
    expect(got.root).toBe(true); // the stale `path` fell back to the downloaded folder
    // Label rows in pixels of the 64x48 images: [x1, y1, x2, y2, class].
    expect(got.train).toEqual([
      [[25.6, 19.2, 38.4, 28.8, 0], [12, 6, 20, 18, 4]],
      [],
    ]);
    expect(got.val).toEqual([[[16, 12, 48, 36, 1]]]);
    expect(got.shapes).toEqual([[48, 64, 3], [48, 64, 3], [48, 64, 3]]);
  }, 180_000);
});
