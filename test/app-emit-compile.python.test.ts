// Every Python file DefectKit emits compiles under Debian's /usr/bin/python3 (apps, pages, every recipe's train.py),
// and the batch-inference step of the notebooks writes the inspection log through the very schema and ids of
// @defectkit/inspection (run in Python, compared with the TypeScript log records).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_NAMES, RECIPE_NAMES, emitApp, emitNotebookProject } from '@defectkit/notebooks';
import { BOARD_INSPECTIONS, DEFECT_LOGS, boardsFromDetections } from '@defectkit/inspection';
import { pythonCompileErrors } from './support/python-compile.js';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-app-compile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('emitted Python compiles under /usr/bin/python3', () => {
  it('every app file and page, and every recipe train.py', async () => {
    const sources: { name: string; code: string }[] = [];
    for (const app of APP_NAMES) {
      const { files } = await emitApp({ app, out: join(work, app) });
      for (const f of files.filter((x) => x.path.endsWith('.py'))) sources.push({ name: `${app}/${f.path}`, code: f.content });
    }
    for (const recipe of RECIPE_NAMES) {
      const { files } = await emitNotebookProject({ recipe, out: join(work, `nb-${recipe}`) });
      for (const f of files.filter((x) => x.path.endsWith('.py'))) sources.push({ name: `${recipe}/${f.path}`, code: f.content });
    }
    expect(sources.length).toBeGreaterThanOrEqual(3 + 4 + 8);
    expect(pythonCompileErrors(sources)).toEqual([]);
    expect(pythonCompileErrors([{ name: 'broken', code: 'x = (1,\n' }])).toHaveLength(1);
  });
});

describe('notebook batch inference writes the inspection log', () => {
  it('inspection_rows: the columns of BOARD_INSPECTIONS / DEFECT_LOGS and the same ids as @defectkit/inspection', async () => {
    const { dir } = await emitNotebookProject({ recipe: 'faster-rcnn', out: join(work, 'rows') });
    const at = new Date('2026-11-30T06:00:00.123Z');
    const detections = [
      { x1: 10, y1: 20, x2: 30.5, y2: 40, score: 0.9, classId: 1, label: 'short' },
      { x1: 50, y1: 60, x2: 70, y2: 80, score: 0.4, classId: 0, label: 'open' },
    ];
    const harness = [
      'import datetime, importlib.util, json, os, sys',
      "spec = importlib.util.spec_from_file_location('train', os.environ['TRAIN_PY'])",
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'at = datetime.datetime(2026, 11, 30, 6, 0, 0, 123000)',
      "pred = {'DETECTIONS': json.dumps([{'x1': 10, 'y1': 20, 'x2': 30.5, 'y2': 40, 'score': 0.9, 'class_id': 1, 'label': 'short'},",
      "                                  {'x1': 50, 'y1': 60, 'x2': 70, 'y2': 80, 'score': 0.4, 'class_id': 0, 'label': 'open'}]), 'WIDTH': 640, 'HEIGHT': 480}",
      "board, defects = m.inspection_rows('boards/b-17.jpg', 0, pred, 'PCB', 'V2', at, 'L1', 'night', 12.5)",
      "clean, none = m.inspection_rows('boards/b-18.jpg', 1, {'DETECTIONS': [], 'WIDTH': 640, 'HEIGHT': 480}, 'PCB', 'V2', at)",
      "print(json.dumps({'board': board, 'defects': defects, 'clean': clean, 'none': none, 'cols': [m.BOARD_COLUMNS, m.DEFECT_COLUMNS]}, default=str))",
    ].join('\n');
    const r = spawnSync(systemPython, ['-c', harness], { encoding: 'utf8', env: { ...process.env, TRAIN_PY: join(dir, 'train.py') } });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { board: Record<string, unknown>; defects: Record<string, unknown>[]; clean: Record<string, unknown>; none: unknown[]; cols: string[][] };
    // The very columns `defectkit snowflake setup` creates, in order.
    expect(out.cols[0]).toEqual(BOARD_INSPECTIONS.columns.map((c) => c.name));
    expect(out.cols[1]).toEqual(DEFECT_LOGS.columns.map((c) => c.name));
    expect(Object.keys(out.board)).toEqual(out.cols[0]);
    for (const d of out.defects) expect(Object.keys(d)).toEqual(out.cols[1]);
    // The same ids as the TypeScript log for the same images, time and model (re-logging never duplicates).
    const [b17, b18] = boardsFromDetections(
      [
        { image: 'boards/b-17.jpg', width: 640, height: 480, detections },
        { image: 'boards/b-18.jpg', width: 640, height: 480, detections: [] },
      ],
      { modelName: 'PCB', modelVersion: 'V2', at, line: 'L1', shift: 'night' },
    );
    expect(out.board).toMatchObject({ INFERENCE_ID: b17!.inferenceId, BOARD_ID: 'b-17', VERDICT: 'fail', DEFECT_COUNT: 2, FACTORY_LINE_ID: 'L1', SHIFT: 'night', IMAGE_WIDTH: 640, IMAGE_HEIGHT: 480, INFERENCE_MS: 12.5 });
    expect(out.defects.map((d) => d.DEFECT_ID)).toEqual(b17!.defects.map((d) => d.defectId));
    expect(out.defects.map((d) => [d.DETECTED_CLASS, d.CONFIDENCE_SCORE, JSON.parse(d.BOUNDING_BOX_COORDINATES as string), d.SOURCE, d.REVIEW_VERDICT])).toEqual([
      ['short', 0.9, [10, 20, 30.5, 40], 'model', null],
      ['open', 0.4, [50, 60, 70, 80], 'model', null],
    ]);
    // A clean board is logged too (yield needs it).
    expect(out.clean).toMatchObject({ INFERENCE_ID: b18!.inferenceId, VERDICT: 'pass', DEFECT_COUNT: 0 });
    expect(out.none).toEqual([]);
  }, 120_000);

  it('a notebook reads its flags only when run as a script: no kernel argv reaches argparse', async () => {
    const { dir } = await emitNotebookProject({ recipe: 'classifier', out: join(work, 'argv') });
    // As a kernel runs it: the cells' namespace has no __file__ and argv holds the kernel's own flags.
    const kernel = [
      'import sys',
      "sys.argv = ['/usr/lib/python3/dist-packages/ipykernel_launcher.py', '-f', '/tmp/kernel-1.json', '--weird']",
      'import os',
      "code = open(os.environ['TRAIN_PY']).read()",
      "g = {'__name__': '__main__'}",
      "exec(compile(code.replace(\"if __name__ == '__main__':\\n    main(ARGS)\", ''), 'cell', 'exec'), g)",
      "print(g['ARGS'].pretrained, g['ARGS'].epochs, g['ARGS'].local)",
    ].join('\n');
    const k = spawnSync(systemPython, ['-c', kernel], { encoding: 'utf8', env: { ...process.env, TRAIN_PY: join(dir, 'train.py') } });
    expect(k.status, k.stderr.slice(-2000)).toBe(0);
    expect(k.stdout.trim().split('\n').pop()).toBe('imagenet 20 False');
    // As a script: the flags apply, including --no-pretrained.
    const script = spawnSync(systemPython, ['-c', "import runpy, sys; sys.argv = [sys.argv[1], '--no-pretrained', '--epochs', '3', '--help']; runpy.run_path(sys.argv[0], run_name='__main__')", join(dir, 'train.py')], { encoding: 'utf8' });
    expect(script.status, script.stderr.slice(-2000)).toBe(0);
    expect(script.stdout).toMatch(/--pretrained \[\{imagenet,none\}\]/);
    expect(script.stdout).toMatch(/--no-pretrained/);
  }, 120_000);
});
