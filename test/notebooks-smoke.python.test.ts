// CI smoke test of the training code we ship: emit the pcb-detector project, run its train.py in
// --local mode for one short epoch on a handful of DeepPCB images (a tiny YOLO folder built here),
// then load the exported model.onnx + model.json with the Node detector and run it on an image.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitNotebookProject } from '@defectkit/notebooks';
import { loadDetector } from '@defectkit/backend-node';
import { deeppcbDir, hasDeepPcb, systemPython } from './support/paths.js';
import { tinyClassifierTrainArgs, trainLocally, writeTemplateBoardClasses } from './support/train-locally.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-smoke-');

const CLASSES = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];

/**
 * A YOLO folder from the first DeepPCB pairs: `train` and `val` images (symlinks) with labels. With `templates`,
 * boards are named `X_test.jpg` and each template `X_temp.jpg` lies beside it without a label (a defect-free board).
 */
function tinyYolo(dir: string, train: number, val: number, templates = false): void {
  const pairs = readFileSync(join(deeppcbDir, 'PCBData', 'trainval.txt'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, train + val);
  pairs.forEach((line, i) => {
    const [img, ann] = line.trim().split(/\s+/) as [string, string];
    const split = i < train ? 'train' : 'val';
    const stem = templates ? `${basename(img, '.jpg')}_test` : basename(img, '.jpg');
    mkdirSync(join(dir, 'images', split), { recursive: true });
    mkdirSync(join(dir, 'labels', split), { recursive: true });
    symlinkSync(join(deeppcbDir, 'PCBData', img.replace(/\.jpg$/, '_test.jpg')), join(dir, 'images', split, `${stem}.jpg`));
    if (templates) symlinkSync(join(deeppcbDir, 'PCBData', img.replace(/\.jpg$/, '_temp.jpg')), join(dir, 'images', split, `${stem.slice(0, -5)}_temp.jpg`));
    const rows = readFileSync(join(deeppcbDir, 'PCBData', ann), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
      const [x1, y1, x2, y2, t] = l.trim().split(/[\s,]+/).map(Number) as [number, number, number, number, number];
      return `${t - 1} ${(x1 + x2) / 1280} ${(y1 + y2) / 1280} ${(x2 - x1) / 640} ${(y2 - y1) / 640}`;
    });
    writeFileSync(join(dir, 'labels', split, `${stem}.txt`), `${rows.join('\n')}\n`);
  });
  writeFileSync(join(dir, 'data.yaml'), `path: ${dir}\ntrain: images/train\nval: images/val\nnames:\n${CLASSES.map((c) => `  - ${c}\n`).join('')}`);
}

const hasTorch = spawnSync(systemPython, ['-c', 'import torch, torchvision, onnx, cv2, yaml'], { encoding: 'utf8' }).status === 0;

describe('pcb-detector recipe, end to end (smoke)', () => {
  it('trains one short epoch with the emitted train.py --local and the exported ONNX runs in the Node detector', async () => {
    expect(hasDeepPcb, `DeepPCB not found at ${deeppcbDir}`).toBe(true);
    expect(hasTorch, `${systemPython} lacks torch/torchvision/onnx/opencv/yaml (apt-get install python3-torch python3-torchvision python3-onnx python3-opencv python3-yaml)`).toBe(true);
    const data = join(work, 'yolo');
    tinyYolo(data, 8, 2);
    const project = await emitNotebookProject({ recipe: 'pcb-detector', out: join(work, 'project'), dataset: data, epochs: 1 });
    const out = join(work, 'run');
    const t0 = performance.now();
    const r = trainLocally(project.dir, out, ['--crops-per-epoch', '16', '--batch', '8', '--threads', '2']);
    const trainSeconds = (performance.now() - t0) / 1000;
    expect(r.stdout).toMatch(/data: 8 train \/ 2 val images/);
    expect(r.stdout).toMatch(/training done: 1 epochs/);
    expect(existsSync(join(out, 'model.onnx'))).toBe(true);
    const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, any>;
    expect(card).toMatchObject({
      format: 'defectkit.model-card/v1',
      name: 'pcb-defects',
      task: 'detect',
      classes: CLASSES,
      input: { name: 'images', width: 640, height: 640, channels: 1, resize: 'letterbox', batchAxis: true, stride: 8, padValue: 114 },
      output: { layout: 'ultralytics-bcn' },
      recipe: { name: 'pcb-detector' },
      training: { epochs: 1 },
    });
    expect(card.input.scale).toBeCloseTo(1 / 255, 12);

    const t1 = performance.now();
    const detector = await loadDetector(out, { conf: 0.001 });
    try {
      const image = join(data, 'images', 'val', readFileSync(join(deeppcbDir, 'PCBData', 'trainval.txt'), 'utf8').split('\n')[8]!.split(/\s+/)[0]!.split('/').pop()!);
      const result = await detector.detect(image);
      // One short epoch detects nothing useful; the point is that the graph, metadata and card load and decode.
      expect(result.detections.length).toBeLessThanOrEqual(300);
      for (const d of result.detections) {
        expect(CLASSES).toContain(d.label);
        expect(d.x1).toBeGreaterThanOrEqual(0);
        expect(d.y2).toBeLessThanOrEqual(640);
        expect(d.x2).toBeGreaterThanOrEqual(d.x1);
        expect(d.score).toBeGreaterThanOrEqual(0.001);
      }
    } finally {
      await detector.dispose();
    }
    console.log(`notebooks-smoke: train.py --local (1 epoch of 16 crops, 2 val images, export) ${trainSeconds.toFixed(1)} s; Node load + detect ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }, 900_000);

  it.each(['diff', 'stack'])('--reference %s: trains on boards and their templates; the card v2 model runs a board against its template', async (reference) => {
    expect(hasTorch).toBe(true);
    const data = join(work, `yolo-ref-${reference}`);
    tinyYolo(data, 4, 1, true);
    const project = await emitNotebookProject({ recipe: 'pcb-detector', out: join(work, `ref-project-${reference}`), dataset: data, epochs: 1 });
    const out = join(work, `ref-run-${reference}`);
    const r = trainLocally(project.dir, out, ['--reference', reference, '--width', '0.25', '--crops-per-epoch', '8', '--batch', '4', '--threads', '2']);
    // Templates have no label file: they are the defect-free boards, in training and validation.
    expect(r.stdout).toMatch(/data: 8 train \/ 2 val images/);
    expect(r.stdout).toMatch(/train: 4 images with defects, 4 defect-free/);
    const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, any>;
    expect(card).toMatchObject({ format: 'defectkit.model-card/v2', input: { channels: 1, reference: 'stacked' }, recipe: { options: { reference } } });
    const detector = await loadDetector(out, { conf: 0.001 });
    try {
      const board = join(data, 'images', 'val', readdirSync(join(data, 'images', 'val')).find((f) => f.endsWith('_test.jpg'))!);
      const result = await detector.detect({ image: board, reference: board.replace(/_test\.jpg$/, '_temp.jpg') });
      expect([result.width, result.height]).toEqual([640, 640]);
      await expect(detector.detect(board)).rejects.toMatchObject({ code: 'REFERENCE_MISSING' });
    } finally {
      await detector.dispose();
    }
  }, 900_000);

  it('--init: a single-image run seeds a --reference run (its reference plane at zero); another width is refused naming the tensor', async () => {
    expect(hasTorch).toBe(true);
    const data = join(work, 'yolo-init');
    tinyYolo(data, 4, 1, true);
    const project = await emitNotebookProject({ recipe: 'pcb-detector', out: join(work, 'init-project'), dataset: data, epochs: 1 });
    const tiny = ['--width', '0.25', '--crops-per-epoch', '8', '--batch', '4', '--threads', '2'];
    const single = join(work, 'init-single');
    trainLocally(project.dir, single, ['--reference', 'none', ...tiny]);
    const seeded = join(work, 'init-ref');
    const r = trainLocally(project.dir, seeded, ['--reference', 'diff', '--init', join(single, 'best.pt'), ...tiny]);
    expect(r.stdout).toContain(`initialised from ${join(single, 'best.pt')} (stem.0.conv.weight: reference plane started at zero)`);
    const card = JSON.parse(readFileSync(join(seeded, 'model.json'), 'utf8')) as Record<string, any>;
    expect(card.recipe.options).toMatchObject({ reference: 'diff', init: 'best.pt', width: 0.25 });
    const wider = spawnSync(systemPython, [join(project.dir, 'train.py'), '--local', '--out', join(work, 'init-wider'), '--reference', 'diff', '--init', join(single, 'best.pt'), ...tiny.slice(2), '--width', '0.5'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '2' },
    });
    expect(wider.status).not.toBe(0);
    expect(wider.stderr).toMatch(/--init .*best\.pt: [\w.]+ has shape \(\d+(, \d+)*\), this network \(\d+(, \d+)*\) \(another width\?\)/);
  }, 900_000);

  it('classifier recipe: the emitted train.py --local trains one epoch on a tiny folder and exports ONNX + card', async () => {
    expect(hasTorch).toBe(true);
    // Two classes from DeepPCB: the defect-free template and the inspected board (96x96 downscales).
    const data = join(work, 'classes');
    await writeTemplateBoardClasses(data);
    const project = await emitNotebookProject({ recipe: 'classifier', out: join(work, 'cls-project'), dataset: data, classes: ['TEMPLATE', 'BOARD'], imgsz: 64, epochs: 1, pretrained: false });
    const out = join(work, 'cls-run');
    const t0 = performance.now();
    const r = trainLocally(project.dir, out, tinyClassifierTrainArgs);
    expect(r.stdout).toMatch(/data: 8 train \/ 4 val images/);
    const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, any>;
    expect(card).toMatchObject({ task: 'classify', classes: ['TEMPLATE', 'BOARD'], input: { width: 64, height: 64, channels: 3 }, output: { layout: 'classifier' } });
    expect(card.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(card.metrics.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(4);
    expect(existsSync(join(out, 'model.onnx'))).toBe(true);
    console.log(`notebooks-smoke: classifier train.py --local (1 epoch, 8 images, export) ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 900_000);

  it('faster-rcnn recipe (tiny backbone): the emitted train.py --local trains a few steps; its torchvision ONNX + card run in the Node detector', async () => {
    expect(hasTorch).toBe(true);
    const data = join(work, 'yolo-rcnn');
    tinyYolo(data, 4, 1);
    const project = await emitNotebookProject({ recipe: 'faster-rcnn', out: join(work, 'rcnn-project'), dataset: data, epochs: 1 });
    const out = join(work, 'rcnn-run');
    const t0 = performance.now();
    const r = trainLocally(project.dir, out, ['--batch', '2', '--threads', '2']);
    expect(r.stdout).toMatch(/model: faster-rcnn\/tiny/);
    const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, any>;
    expect(card).toMatchObject({
      task: 'detect',
      classes: CLASSES,
      input: { channels: 3, resize: 'none', batchAxis: false },
      output: { layout: 'torchvision-rcnn' },
      recipe: { name: 'faster-rcnn', options: { backbone: 'tiny' } },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const detector = await loadDetector(out, { conf: 0.01 });
    try {
      const result = await detector.detect(join(data, 'images', 'val', readdirSync(join(data, 'images', 'val'))[0]!));
      expect(result.width).toBe(640);
      for (const d of result.detections) {
        expect(CLASSES).toContain(d.label);
        expect(d.x2).toBeLessThanOrEqual(640);
        expect(d.score).toBeGreaterThanOrEqual(0.01);
      }
    } finally {
      await detector.dispose();
    }
    console.log(`notebooks-smoke: faster-rcnn train.py --local (1 epoch of 2 steps, 1 val image, export) ${trainSeconds.toFixed(1)} s`);
  }, 900_000);

  it('Snowflake mode: stage_download rebuilds the dataset folders from a stage listing (fake session)', async () => {
    expect(hasTorch).toBe(true);
    const project = await emitNotebookProject({ recipe: 'pcb-detector', out: join(work, 'stage-project') });
    // A fake Snowpark session: LIST answers names the way Snowflake does (stage name lower-cased, no
    // database/schema), GET copies one file into the target folder.
    const harness = [
      'import importlib.util, json, os, shutil, sys, pathlib',
      "sys.argv = ['train.py']",
      "spec = importlib.util.spec_from_file_location('train', os.environ['TRAIN_PY'])",
      'train = importlib.util.module_from_spec(spec); spec.loader.exec_module(train)',
      "files = {'images/train/a.jpg': b'A', 'labels/train/a.txt': b'0 0.5 0.5 0.1 0.1', 'data.yaml': b'train: images/train'}",
      'class Rows:',
      '    def __init__(self, rows): self.rows = rows',
      '    def collect(self): return self.rows',
      'class Files:',
      '    def get(self, src, target):',
      "        rel = src.split('/datasets/pcb-defects/', 1)[1]",
      "        pathlib.Path(target, os.path.basename(rel)).write_bytes(files[rel])",
      'class Session:',
      '    file = Files()',
      '    def sql(self, q):',
      "        assert q == 'LIST @DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECTKIT_STAGE/datasets/pcb-defects/', q",
      "        return Rows([{'name': 'defectkit_stage/datasets/pcb-defects/' + k} for k in files])",
      "out = pathlib.Path(os.environ['OUT'])",
      "train.stage_download(Session(), train.CONFIG['dataset'], out)",
      "print(json.dumps(sorted(str(p.relative_to(out)) for p in out.rglob('*') if p.is_file())))",
    ].join('\n');
    const r = spawnSync(systemPython, ['-c', harness], { encoding: 'utf8', env: { ...process.env, TRAIN_PY: join(project.dir, 'train.py'), OUT: join(work, 'staged') } });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual(['data.yaml', 'images/train/a.jpg', 'labels/train/a.txt']);
  }, 120_000);
});
