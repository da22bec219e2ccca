import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';
import { choiceOption, deviceOption, numberOption, positiveIntOption, unitOption, type Device } from '../option-parsers.js';

/** The result formats `defectkit detect` writes (the library's RESULT_FORMATS; listed here so --help needs no import). */
const FORMATS = ['json', 'yolo', 'coco', 'deeppcb'] as const;
type Format = (typeof FORMATS)[number];

interface DetectFlags {
  model?: string | true;
  device: Device;
  conf?: number;
  iou?: number;
  maxDet?: number;
  saveAnnotated?: string;
  format: Format;
  out?: string;
  batch: number;
  concurrency?: number;
  workers?: number;
  log?: string;
  line?: string;
  shift?: string;
  boardIdFrom: 'name' | 'folder';
  fromList?: string;
  reference?: string;
  align: 'none' | 'shift';
  verdictConf?: string;
  tile?: number;
  overlap: number;
  tileMerge: 'nms' | 'greedy-nmm';
  tileMatch: 'iou' | 'ios';
}

const ms = (value: number): string => `${value.toFixed(1)}ms`;

/** A classifier's top-k on one line, e.g. `BOARD 0.912, TEMPLATE 0.088`. */
function topLabels(labels: readonly { label: string; score: number }[]): string {
  return labels.map((l) => `${l.label} ${l.score.toFixed(3)}`).join(', ');
}

/** "2 open, 1 short" (per-class tally in class order), or "no detections". */
function tally(detections: readonly { classId: number; label: string }[]): string {
  if (detections.length === 0) return 'no detections';
  const counts = new Map<number, { label: string; n: number }>();
  for (const d of detections) {
    const entry = counts.get(d.classId) ?? { label: d.label, n: 0 };
    entry.n++;
    counts.set(d.classId, entry);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, { label, n }]) => `${n} ${label}`)
    .join(', ');
}

/** A one-line progress bar for a TTY. */
function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** Registers `defectkit detect`. */
export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('Detect defects in images with an ONNX model (default: the shipped PCB model, @defectkit/model-pcb-defects).')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit detect ../shared/data/deeppcb/PCBData/group00041/00041/00041000_test.jpg --save-annotated out/',
          "defectkit detect 'scans/**/*.jpg' --format coco --out results.json --device auto",
          'defectkit detect scans/ --model models/pcb-defects-frcnn --conf 0.5 --format yolo --out labels/',
          'ls scans/*.png | defectkit detect --from-list - --batch 4',
        ],
        [ENV.model, ENV.ortInstall, ENV.defectkitHome, ENV.snowflakeHome, ENV.snowflakeKeys],
      ),
    )
    .argument('[inputs...]', 'image files, folders (searched recursively) or globs')
    .option('--from-list <file>', 'also read image paths from a file, one per line (- for standard input; blank lines and # comments ignored)')
    .option('-m, --model [path]', 'model folder (model.onnx + model.json) or .onnx file (default: $DEFECTKIT_MODEL, else the shipped PCB model)')
    .option('--device <device>', 'cpu, cuda or auto (auto falls back to the CPU and says so)', deviceOption, 'cpu' as Device)
    .option('--conf <score>', 'keep detections scoring above this (default: the model card)', unitOption('conf'))
    .option('--iou <iou>', 'NMS IoU threshold (default: the model card)', unitOption('iou'))
    .option('--max-det <n>', 'at most this many detections per image (default: the model card)', positiveIntOption('max-det'))
    .option('--save-annotated <dir>', 'write each image with its boxes drawn as <dir>/<name>.png')
    .option('--format <format>', `result format: ${FORMATS.join(', ')}`, choiceOption('format', FORMATS), 'json' as Format)
    .option('--out <path>', 'where results go: a file for json/coco (default stdout), a folder for yolo/deeppcb (required)')
    .option('--batch <n>', 'images per model run (a real batch when the model has a dynamic batch axis)', positiveIntOption('batch'), 1)
    .option('--concurrency <n>', 'images (or batches) prepared and run at the same time (default: 2, or twice --workers)', positiveIntOption('concurrency'))
    .option('--workers <n>', 'CPU inference in n worker threads, one session each with cores/n threads, so decoding overlaps inference; 0 runs one session in this thread (default: 2 for more than one image on --device cpu, else 0)', numberOption('workers', { min: 0, max: 64, integer: true, expected: 'an integer from 0 to 64' }))
    .option('--log <target>', 'also log every board (clean ones too) to the inspection log: local ($DEFECTKIT_HOME/inspection.duckdb), snowflake or snowflake:<connection>')
    .option('--line <id>', 'with --log: the FACTORY_LINE_ID of every board')
    .option('--shift <name>', 'with --log: the SHIFT of every board')
    .option('--board-id-from <rule>', 'with --log: the board id is the image file name (name) or its folder name (folder)', choiceOption('board-id-from', ['name', 'folder'] as const), 'name' as const)
    .option('--reference <source>', 'golden reference of each image, for a model that compares against one: auto (X_test.jpg pairs with X_temp.jpg beside it; X_temp images are then references, not boards) or a folder holding the same file names')
    .option('--align <mode>', 'none or shift: line each reference up with its image (phase correlation, up to 16 px) before comparing', choiceOption('align', ['none', 'shift'] as const), 'none' as const)
    .option('--tile <size>', 'detect large scans as overlapping size x size tiles at scale 1 (at most the network input), batched through the model, then merged', positiveIntOption('tile'))
    .option('--overlap <fraction>', 'with --tile: overlap of neighbouring tiles, a fraction of the tile in [0, 1)', numberOption('overlap', { min: 0, max: 0.99, expected: 'a fraction in [0, 1)' }), 0.2)
    .option('--tile-merge <method>', 'with --tile: greedy-nmm (merge each group into its enclosing box) or nms', choiceOption('tile-merge', ['greedy-nmm', 'nms'] as const), 'greedy-nmm' as const)
    .option('--tile-match <measure>', 'with --tile: ios (intersection over the smaller box) or iou, matched above 0.5', choiceOption('tile-match', ['ios', 'iou'] as const), 'ios' as const)
    .option('--verdict-conf <rule>', 'pass/fail thresholds: a score for every class and/or class=score pairs, e.g. 0.5,short=0.3 (default: the model card)')
    .action(async (inputs: string[], flags: DetectFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const node = await import('@defectkit/backend-node');

      // Numbers, the device and the format were parsed with the options (../option-parsers.ts).
      const { conf, iou, maxDet, batch: batchSize, format } = flags;
      if (flags.log !== undefined && !/^(local|snowflake(:[A-Za-z0-9_.-]+)?)$/.test(flags.log))
        throw new InvalidArgumentError('INVALID_OPTION', `--log must be local, snowflake or snowflake:<connection> (got "${flags.log}")`, { field: 'log', value: flags.log });
      if (flags.log === undefined && (flags.line !== undefined || flags.shift !== undefined))
        throw new InvalidArgumentError('INVALID_OPTION', '--line and --shift describe logged boards: add --log local|snowflake[:connection]', { field: flags.line !== undefined ? 'line' : 'shift' });
      if ((format === 'yolo' || format === 'deeppcb') && !flags.out)
        throw new InvalidArgumentError('INVALID_OPTION', `--format ${format} writes one file per image: give the folder with --out`, { field: 'out' });

      if (inputs.length === 0 && flags.fromList === undefined)
        throw new InvalidArgumentError('MISSING_OPTION', 'give images as arguments or with --from-list <file|->', { field: 'inputs' });
      const listed = flags.fromList === undefined ? [] : await node.readImageList(flags.fromList);
      const images = await node.expandImageInputs([...inputs, ...listed]);
      if (images.length === 0) throw new InvalidArgumentError('INVALID_OPTION', `no images match ${[...inputs, flags.fromList ?? ''].join(' ')}`, { field: 'inputs', value: inputs });
      const modelPath = typeof flags.model === 'string' ? flags.model : node.defaultModelDir();
      const { existsSync } = await import('node:fs');
      // Decided before any image runs: no output may overlap an input, and per-image names stay unique.
      const outputs = await node.DetectionOutputs.prepare({
        format,
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.saveAnnotated === undefined ? {} : { annotatedDir: flags.saveAnnotated }),
        images,
        otherInputs: [...inputs.filter((input) => existsSync(input)), ...(flags.fromList === undefined || flags.fromList === '-' ? [] : [flags.fromList]), modelPath],
      });
      // With --reference, each image runs with its golden reference; under auto, DeepPCB templates are references only.
      const boards = flags.reference === 'auto' ? images.filter((image) => !node.isTemplateImage(image)) : images;
      if (flags.reference !== undefined && boards.length === 0) throw new InvalidArgumentError('INVALID_OPTION', 'every image is a template (X_temp); give the X_test images to inspect', { field: 'reference' });
      const pairs = flags.reference === undefined ? images : node.pairReferences(boards, flags.reference === 'auto' ? 'auto' : { folder: flags.reference });
      const { parseVerdictSpec } = await import('@defectkit/postprocess');
      // A folder runs fastest with inference beside the decoding (see OnnxNodeBackendOptions.workers); one image
      // fastest on one session with every core.
      if (flags.device === 'cuda' && flags.workers)
        throw new InvalidArgumentError('INVALID_OPTION', '--workers runs CPU sessions in worker threads; --device cuda runs one CUDA session (drop --workers)', { field: 'workers', value: flags.workers });
      const workers = flags.workers ?? (flags.device === 'cpu' && pairs.length > 1 ? 2 : 0);
      const concurrency = flags.concurrency ?? (workers > 0 ? 2 * workers : 2);
      const { availableParallelism } = await import('node:os');
      const detector = await node.loadDetector(modelPath, {
        device: flags.device as 'cpu' | 'cuda' | 'auto',
        ...(workers > 0 ? { workers, threads: Math.max(1, Math.floor(availableParallelism() / workers)) } : {}),
        align: flags.align,
        ...(flags.verdictConf !== undefined ? { verdict: parseVerdictSpec(flags.verdictConf) } : {}),
        ...(conf !== undefined ? { conf } : {}),
        ...(iou !== undefined ? { iou } : {}),
        ...(maxDet !== undefined ? { maxDet } : {}),
      });
      const info = detector.backend.info!;
      if (detector.spec.input.reference && flags.reference === undefined) {
        await detector.dispose();
        throw new InvalidArgumentError('MISSING_OPTION', `${modelPath}: the model compares each image with a golden reference; give --reference auto or --reference <folder>`, { field: 'reference' });
      }
      if (!detector.spec.input.reference && flags.reference !== undefined) {
        await detector.dispose();
        throw new InvalidArgumentError('INVALID_OPTION', `${modelPath}: the model takes the image alone; --reference is for a model whose card has input.reference`, { field: 'reference' });
      }
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const tty = process.stderr.isTTY === true;
      log(
        `${detector.spec.name}: ${detector.spec.classes.length} classes, input ${detector.spec.input.width}x${detector.spec.input.height}x${detector.spec.input.channels}, ` +
          `device ${info.requestedDevice} -> provider ${info.provider}${info.concurrentRuns ? ` in ${info.concurrentRuns} worker threads` : ''}${detector.spec.dynamicBatch ? '' : ' (fixed batch: images run one by one)'}`,
      );
      if (info.requestedDevice === 'auto' && info.provider === 'cpu') log(`auto: running on the CPU (${node.cudaMissingReason() ?? 'the CUDA provider failed to start'})`);

      const results: import('@defectkit/postprocess').ImageDetections[] = [];
      // Per-image detector time (ms), logged as INFERENCE_MS; the run's start is every logged board's time.
      const imageMs = new Map<string, number>();
      const runAt = new Date();
      const sums = { decode: 0, preprocess: 0, inference: 0, postprocess: 0 };
      let failed = 0;
      let done = 0;
      let boxes = 0;
      let failedBoards = 0;
      const total = pairs.length;
      const started = performance.now();
      try {
        const tile = flags.tile === undefined ? {} : { tile: { size: flags.tile, overlap: flags.overlap, method: flags.tileMerge, match: flags.tileMatch } };
        for await (const outcome of detector.detectAll(pairs, { batchSize, concurrency, ...tile })) {
          done++;
          const prefix = `image ${done}/${total} ${outcome.image}:`;
          if (tty) process.stderr.write('\r\x1b[2K');
          if (!outcome.ok) {
            failed++;
            log(`${prefix} error ${outcome.error.code}: ${outcome.error.message}`);
          } else {
            const r = outcome.result;
            const t = r.timings;
            for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += t[key];
            boxes += r.detections.length;
            if (r.verdict === 'fail') failedBoards++;
            log(`${prefix} ${r.width}x${r.height} ${r.labels ? topLabels(r.labels) : tally(r.detections)}, ${ms(t.decode + t.preprocess + t.inference + t.postprocess)} (decode ${ms(t.decode)}, preprocess ${ms(t.preprocess)}, inference ${ms(t.inference)}, postprocess ${ms(t.postprocess)}), ${r.verdict}`);
            const item = { image: outcome.image, width: r.width, height: r.height, verdict: r.verdict, ...(r.labels ? { labels: r.labels } : {}), detections: r.detections };
            imageMs.set(outcome.image, t.decode + t.preprocess + t.inference + t.postprocess);
            results.push(item);
            await outputs.writeImage(item, outcome.input);
          }
          if (tty) process.stderr.write(bar(done, total));
        }
      } finally {
        if (tty) process.stderr.write('\r\x1b[2K');
        await detector.dispose();
      }
      const ok = results.length;
      const per = (key: keyof typeof sums): string => ms(ok === 0 ? 0 : sums[key] / ok);
      log(`Speed: ${per('decode')} decode, ${per('preprocess')} preprocess, ${per('inference')} inference, ${per('postprocess')} postprocess per image (batch ${batchSize}, ${info.provider})`);
      log(`${total} images: ${ok} processed, ${failed} failed, ${boxes} detections in ${((performance.now() - started) / 1000).toFixed(2)}s; verdicts: ${ok - failedBoards} pass, ${failedBoards} fail`);

      const text = await outputs.finish(results);
      if (text !== undefined) process.stdout.write(text);
      else log(format === 'json' || format === 'coco' ? `results: ${flags.out}` : `results: ${flags.out}/`);
      if (flags.saveAnnotated) log(`annotated images: ${flags.saveAnnotated}/`);
      if (flags.log !== undefined) {
        // Results are written above, before logging: a logging failure (INSPECTION_NOT_LOGGED) loses no result.
        const { boardsFromDetections, logInspections, modelFileVersion } = await import('@defectkit/inspection');
        const boards = boardsFromDetections(
          results.map((r) => ({ ...r, ...(imageMs.has(r.image) ? { inferenceMs: imageMs.get(r.image)! } : {}) })),
          { modelName: detector.spec.name, modelVersion: await modelFileVersion(node.findModelFiles(modelPath).onnx), line: flags.line ?? null, shift: flags.shift ?? null, boardIdFrom: flags.boardIdFrom, at: runAt },
        );
        const logged = await logInspections(flags.log, boards, { warn: (message) => log(`warning: ${message}`) });
        log(`logged ${logged.boards} boards (${logged.defects} defect calls) to ${logged.location}`);
      }
      if (failed > 0) process.exitCode = 1;
    });
}
