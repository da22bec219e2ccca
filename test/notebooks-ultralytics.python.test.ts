// The `ultralytics` recipe's emitted train.py, run with --local under Debian's python3 against a recording stand-in of
// the ultralytics package (test/support/ultralytics_standin: the real one is not installed here and downloads COCO
// checkpoints): it starts from the named checkpoint (or its yaml with --no-pretrained), trains on a data.yaml copy
// whose path is where the dataset is now (the input untouched), exports ONNX with nms=False, and writes a card the
// DefectKit model-card parser accepts, beside the exported ONNX.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { emitNotebookProject } from '@defectkit/notebooks';
import { parseModelCardText } from '@defectkit/detector';
import { writeText, writeTinyImage } from '../packages/annotations/src/node/testing/tiny-images.js';
import { goldenDir, repoRoot, systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-ultra-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function dataset(dir: string): Promise<string> {
  const yaml = 'path: /gone\ntrain: images/train\nval: images/val\nnames: [open, short, mousebite, spur, copper, pin-hole]\n';
  await writeText(join(dir, 'data.yaml'), yaml);
  await writeTinyImage(join(dir, 'images', 'train', 'a.jpg'), 64, 64);
  await writeText(join(dir, 'labels', 'train', 'a.txt'), '0 0.5 0.5 0.2 0.2\n');
  await writeTinyImage(join(dir, 'images', 'val', 'b.jpg'), 64, 64);
  return yaml;
}

function runTrain(trainPy: string, args: string[], log: string) {
  return spawnSync(systemPython, [trainPy, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: join(repoRoot, 'test', 'support', 'ultralytics_standin'),
      ULTRALYTICS_STANDIN_LOG: log,
      ULTRALYTICS_STANDIN_ONNX: join(goldenDir, 'fixtures', 'synthetic_ultralytics_detect_bcn.onnx'),
    },
  });
}
const events = (log: string): Record<string, any>[] => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

describe('ultralytics recipe (emitted train.py --local)', () => {
  it('trains from the named COCO checkpoint on a data.yaml copy, exports nms=False, and writes a valid card', async () => {
    const data = join(work, 'data');
    const yaml = await dataset(data);
    const project = await emitNotebookProject({ recipe: 'ultralytics', out: join(work, 'p'), imgsz: 320, epochs: 2 });
    expect(project.options.weights).toBe('yolo11s.pt');
    const out = join(work, 'run');
    const log = join(work, 'calls.jsonl');
    const r = runTrain(join(project.dir, 'train.py'), ['--local', '--data', data, '--out', out, '--device', 'cpu'], log);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const e = events(log);
    expect(e.map((x) => x.event)).toEqual(['init', 'train', 'init', 'val', 'export']);
    expect(e[0]).toMatchObject({ model: 'yolo11s.pt' });
    expect(e[1]).toMatchObject({ epochs: 2, imgsz: 320, device: 'cpu', project: out, name: 'train', names: { 0: 'open', 1: 'short', 2: 'mousebite', 3: 'spur', 4: 'copper', 5: 'pin-hole' } });
    // The copy points at the dataset where it is now; the input data.yaml is untouched.
    expect(parseYaml(readFileSync(e[1]!.data as string, 'utf8'))).toMatchObject({ path: data });
    expect(readFileSync(join(data, 'data.yaml'), 'utf8')).toBe(yaml);
    expect(e[4]).toMatchObject({ format: 'onnx', imgsz: 320, nms: false, dynamic: true });
    const card = parseModelCardText(readFileSync(join(out, 'model.json'), 'utf8'), 'model.json');
    expect(card).toMatchObject({ task: 'detect', output: { layout: 'ultralytics-bcn' }, input: { width: 320, height: 320, stride: 32 } });
    const raw = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { recipe: { options: Record<string, unknown> }; metrics: { coco: { map50: number } } };
    expect(raw.recipe.options).toMatchObject({ weights: 'yolo11s.pt', pretrained: 'coco' });
    expect(raw.metrics.coco.map50).toBe(0.375);
    expect(readFileSync(join(out, 'model.onnx'))).toEqual(readFileSync(join(goldenDir, 'fixtures', 'synthetic_ultralytics_detect_bcn.onnx')));
  }, 120_000);

  it('--no-pretrained builds the same network from its yaml; a data.yaml with other names is refused', async () => {
    const data = join(work, 'data2');
    await dataset(data);
    const project = await emitNotebookProject({ recipe: 'ultralytics', out: join(work, 'p2'), weights: 'yolov8n.pt' });
    const log = join(work, 'calls2.jsonl');
    const r = runTrain(join(project.dir, 'train.py'), ['--local', '--data', data, '--out', join(work, 'run2'), '--device', 'cpu', '--no-pretrained'], log);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(events(log)[0]).toMatchObject({ event: 'init', model: 'yolov8n.yaml' });
    const bad = runTrain(join(project.dir, 'train.py'), ['--local', '--data', data, '--out', join(work, 'run3'), '--classes', 'a,b'], join(work, 'calls3.jsonl'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/names \['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'\] differ from --classes \['a', 'b'\]/);
  }, 120_000);
});
