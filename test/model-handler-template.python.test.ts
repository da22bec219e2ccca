// Each notebook recipe's own `log_to_registry` (the emitted train.py, under Debian's /usr/bin/python3 with torch)
// logs the model through a stand-in for snowflake-ml-python (test/support/snowflake_ml_standin) that checks the
// calls against the documented signatures and writes a registry package. That package, served by snowflake-local
// (the logged Python handler in CPython 3.11), and the CustomModel itself (ModelVersion.run, in Debian's Python)
// both answer the TypeScript detector's detections on DeepPCB images within 1e-3.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '@defectkit/core';
import { loadDetector, OnnxNodeBackend, SharpPreprocessor } from '@defectkit/backend-node';
import { parseModelCardText } from '@defectkit/detector';
import { emitNotebookProject, type RecipeName } from '@defectkit/notebooks';
import { decodeClassifier } from '@defectkit/postprocess';
import { SnowflakeRegistry } from '@defectkit/registry';
import { handlerPython, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { fixtureModelFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir, repoRoot, systemPython } from './support/paths.js';
import { trainTinyClassifier } from './support/train-locally.js';
import { scratchFolder } from './support/scratch-folder.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

const run = promisify(execFile);
const work = scratchFolder('dk-handler-template-');
const standin = join(repoRoot, 'test', 'support', 'snowflake_ml_standin');
const deeppcb = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));
const TOLERANCE = 1e-3;

/** The keyword arguments snowflake-ml-python documents for Registry.log_model (what our templates may pass). */
const DOCUMENTED_LOG_MODEL = ['model_name', 'version_name', 'comment', 'metrics', 'conda_dependencies', 'pip_requirements', 'python_version', 'signatures', 'sample_input_data', 'code_paths', 'ext_modules', 'options'];

/**
 * onnxruntime and pandas for Debian's python3 (which has torch but neither), installed with `pip --target` from
 * the same wheel folder as the handler virtualenv: pandas 2.3 because Debian's numpy is 1.24. Cached like the
 * virtualenv, built in a private folder and renamed into place.
 */
async function debianExtras(): Promise<string> {
  const venvPython = await handlerPython();
  const wheels = process.env.DEFECTKIT_WHEELS ?? '/opt/pypi/files';
  const packages = ['onnxruntime', 'pandas==2.3.3', 'python-dateutil', 'pytz', 'tzdata', 'six'];
  const key = createHash('sha256').update(JSON.stringify({ wheels, packages })).digest('hex').slice(0, 16);
  const root = join(process.env.DEFECTKIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'defectkit'), 'debian-python-extras');
  const target = join(root, key);
  if (existsSync(join(target, 'ready'))) return target;
  mkdirSync(root, { recursive: true });
  const temporary = join(root, `.${key}-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  await run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-index', '--find-links', wheels, '--no-deps', '--target', temporary, ...packages]);
  writeFileSync(join(temporary, 'ready'), '');
  try {
    renameSync(temporary, target);
  } catch {
    rmSync(temporary, { recursive: true, force: true }); // another test file won the race
  }
  return target;
}

// Imports the emitted train.py (as the notebook would run it), calls its log_to_registry, then runs the returned
// ModelVersion (the CustomModel's predict, in this process) on the given images.
const HARNESS = String.raw`
import importlib.util, json, pathlib, sys
train_py, out_dir, name, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
sys.argv = ["train.py"]
spec = importlib.util.spec_from_file_location("train", train_py)
train = importlib.util.module_from_spec(spec); spec.loader.exec_module(train)
import pandas as pd
card = json.loads(pathlib.Path(out_dir, "model.json").read_text())
class Session:
    """The Snowpark session the stand-in Registry is given (it issues no SQL)."""
mv = train.log_to_registry(Session(), pathlib.Path(out_dir), card, name)
frame = mv.run(pd.DataFrame({"IMAGE": [pathlib.Path(p).read_bytes() for p in images]}), function_name="predict")
print(json.dumps({"package": mv.package, "rows": frame.to_dict("records")}))
`;

interface Case {
  recipe: RecipeName;
  name: string;
  /** The training output folder log_to_registry is given (model.onnx + model.json). */
  model: () => Promise<string>;
  /** Images to compare on (files). */
  images: () => Promise<string[]>;
}

/** Renders DeepPCB boards at a model's input size (so no resampler difference between Pillow and sharp enters). */
async function boardsAt(size: number): Promise<string[]> {
  const dir = join(work, `boards-${size}`);
  mkdirSync(dir, { recursive: true });
  return Promise.all(deeppcb.map(async (image, i) => {
    const path = join(dir, `${i}.png`);
    await sharp(image).resize(size, size).png().toFile(path);
    return path;
  }));
}

/** A copy of a shipped model folder (log_to_registry reads model.onnx + model.json from its output folder). */
function copyOf(folder: string): () => Promise<string> {
  return async () => {
    const dir = join(work, `model-${folder.replace(/\W/g, '_')}`);
    cpSync(join(repoRoot, folder), dir, { recursive: true });
    return dir;
  };
}

const cases: Case[] = [
  { recipe: 'pcb-detector', name: 'NB_PCB', model: copyOf('models/pcb-defects'), images: async () => deeppcb },
  { recipe: 'faster-rcnn', name: 'NB_FRCNN', model: copyOf('models/pcb-defects-frcnn'), images: async () => deeppcb },
  { recipe: 'ultralytics', name: 'NB_YOLO', model: fixtureModelFolder, images: () => boardsAt(320) },
  { recipe: 'classifier', name: 'NB_CLS', model: () => trainTinyClassifier(work), images: () => boardsAt(64) },
];

type Row = { DETECTIONS: string; WIDTH: number; HEIGHT: number; LABELS: string };
type Label = { label: string; score: number; class_id: number };

function expectClose(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), what).toBeLessThanOrEqual(TOLERANCE);
}

function expectSameDetections(got: ReadonlyArray<Record<string, unknown>>, want: readonly Detection[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((d, k) => {
    const e = want[k]!;
    for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expectClose(d[key] as number, e[key], `${what} #${k} ${key}`);
    expect([d.class_id ?? d.classId, d.label], `${what} #${k}`).toEqual([e.classId, e.label]);
  });
}

describe("each recipe's log_to_registry (stand-in snowflake-ml-python) logs the one handler; served by snowflake-local it answers like the local detector", () => {
  let server: SnowflakeLocal;
  let home: string;
  let extras: string;
  let registry: SnowflakeRegistry;

  beforeAll(async () => {
    extras = await debianExtras();
    ({ server, home } = await startLocalSnowflake({ database: 'NB', schema: 'REG', statements: ['CREATE STAGE IF NOT EXISTS NB.REG.PACKAGES'] }));
    registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
  }, 600_000);

  afterAll(async () => {
    await registry?.close();
    await server?.close();
  });

  it('the stand-in refuses calls outside the documented surface', () => {
    const probe = [
      'import pandas as pd',
      'from snowflake.ml.model import custom_model',
      'from snowflake.ml.registry import Registry',
      'class M(custom_model.CustomModel):',
      '    @custom_model.inference_api',
      '    def predict(self, df: pd.DataFrame) -> pd.DataFrame:',
      '        return df',
      'sample = pd.DataFrame({"IMAGE": [b"x"]})',
      'errors = []',
      'for call in (lambda: Registry(object()).log_model(M(), "NAME", sample_input_data=sample),',
      '             lambda: Registry(object()).log_model(M(), model_name="NAME", sample_data=sample),',
      '             lambda: Registry(object()).log_model(M(), version_name="V1", sample_input_data=sample),',
      '             lambda: Registry(object()).log_model(M(), model_name="NAME", conda_dependencies="numpy", sample_input_data=sample),',
      '             lambda: custom_model.ModelContext(artifacts={"onnx": "/no/such/file.onnx"}),',
      '             lambda: custom_model.ModelContext({"onnx": "x"})):',
      '    try:',
      '        call()',
      '        errors.append(None)',
      '    except Exception as error:',
      '        errors.append(type(error).__name__)',
      'print(errors)',
    ].join('\n');
    const r = spawnSync(systemPython, ['-c', probe], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: [standin, extras].join(':') } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("['TypeError', 'TypeError', 'TypeError', 'TypeError', 'FileNotFoundError', 'TypeError']");
  });

  it.each(cases)('$recipe', async ({ recipe, name, model, images: imagesOf }) => {
    const modelDir = await model();
    const images = await imagesOf();
    const project = await emitNotebookProject({ recipe, out: join(work, `${recipe}-project`) });
    const log = join(work, `${recipe}-calls.jsonl`);
    const out = join(work, `${recipe}-packages`);
    writeFileSync(join(work, 'harness.py'), HARNESS);
    // The ultralytics script pip-installs ultralytics when it cannot import it; log_to_registry never uses it, so an
    // empty module stands in (no network here).
    mkdirSync(join(work, 'no-ultralytics', 'ultralytics'), { recursive: true });
    writeFileSync(join(work, 'no-ultralytics', 'ultralytics', '__init__.py'), '# Empty stand-in: the test only calls log_to_registry.\n');
    const r = spawnSync(systemPython, [join(work, 'harness.py'), join(project.dir, 'train.py'), modelDir, name, ...images], {
      encoding: 'utf8',
      cwd: project.dir,
      env: { ...process.env, PYTHONPATH: [standin, extras, join(work, 'no-ultralytics')].join(':'), DEFECTKIT_STANDIN_OUT: out, DEFECTKIT_STANDIN_LOG: log, OMP_NUM_THREADS: '2' },
      timeout: 300_000,
      maxBuffer: 64 << 20,
    });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const { package: pkg, rows: customModelRows } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { package: string; rows: Row[] };

    // The calls, as the stand-in recorded them: documented keywords only, the three artifacts, an image-bytes sample.
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.keywords.filter((k: string) => !DOCUMENTED_LOG_MODEL.includes(k))).toEqual([]);
    expect(call).toMatchObject({ call: 'Registry.log_model', model_class: 'DefectKitModel', model_name: name, artifacts: ['card', 'handler', 'onnx'], sample_rows: 1, sample_columns: ['IMAGE'] });
    expect(call.conda_dependencies).toEqual(expect.arrayContaining(['numpy', 'onnxruntime', 'pandas', 'pillow']));
    expect(call.signatures.predict).toEqual({
      inputs: [{ name: 'IMAGE', type: 'BINARY' }],
      outputs: [{ name: 'DETECTIONS', type: 'VARCHAR' }, { name: 'WIDTH', type: 'NUMBER' }, { name: 'HEIGHT', type: 'NUMBER' }, { name: 'LABELS', type: 'VARCHAR' }],
    });
    // The logged handler is the emitted one, which is templates/defectkit_handler.py.
    const handlerFile = readdirSync(join(pkg, 'model', 'artifacts')).find((f) => f.startsWith('handler_'))!;
    expect(readFileSync(join(pkg, 'model', 'artifacts', handlerFile), 'utf8')).toBe(readFileSync(join(repoRoot, 'packages', 'notebooks', 'templates', 'defectkit_handler.py'), 'utf8'));

    // Serve the package: PUT it on a stage and CREATE MODEL from it, as Snowflake's registry does.
    await registry.upload(pkg, listFiles(pkg), `@NB.REG.PACKAGES/${name}`);
    await registry.session.execute(`CREATE MODEL NB.REG.${name} WITH VERSION V1 FROM @NB.REG.PACKAGES/${name}`);

    const card = parseModelCardText(readFileSync(join(modelDir, 'model.json'), 'utf8'), 'model.json');
    const selects = images.map((_, k) => (k === 0 ? 'SELECT ? AS "IDX", ? AS "IMAGE"' : 'SELECT ?, ?')).join(' UNION ALL ');
    const remoteRows = await registry.session.execute(
      `SELECT "IDX", MODEL(NB.REG.${name}, V1)!PREDICT(TO_BINARY("IMAGE", 'BASE64')) AS R FROM (${selects}) ORDER BY "IDX"`,
      images.flatMap((image, k) => [k, readFileSync(image).toString('base64')]),
    );
    const remote = remoteRows.map((row) => (typeof row.R === 'string' ? JSON.parse(row.R) : row.R) as Row);
    expect(remote).toHaveLength(images.length);

    let compared = 0;
    if (card.task === 'classify') {
      const backend = new OnnxNodeBackend();
      const info = await backend.load(join(modelDir, 'model.onnx'), { device: 'cpu' });
      const preprocessor = new SharpPreprocessor();
      for (const [i, image] of images.entries()) {
        const prepared = await preprocessor.prepare(image, card.input);
        const outputs = await backend.run({ [info.inputs[0]!.name]: { type: 'float32', data: prepared.data, dims: [1, ...prepared.dims] } });
        const probabilities = outputs[info.outputs[0]!.name]!;
        const want = decodeClassifier({ data: probabilities.data as Float32Array, dims: probabilities.dims }, { activation: 'none', names: card.classes })[0]!;
        for (const [source, row] of [['snowflake-local', remote[i]!], ['CustomModel.predict', customModelRows[i]!]] as const) {
          const labels = JSON.parse(row.LABELS) as Label[];
          expect(labels.map((l) => [l.class_id, l.label]), `${source} ${image}`).toEqual(want.map((c) => [c.classId, c.label]));
          labels.forEach((l, c) => expectClose(l.score, want[c]!.score, `${source} ${image} class ${c}`));
          expect(JSON.parse(row.DETECTIONS)).toEqual([]);
          compared += labels.length;
        }
      }
      await backend.dispose();
    } else {
      const detector = await loadDetector(modelDir);
      try {
        for (const [i, image] of images.entries()) {
          const want = await detector.detect(image);
          for (const [source, row] of [['snowflake-local', remote[i]!], ['CustomModel.predict', customModelRows[i]!]] as const) {
            expect([row.WIDTH, row.HEIGHT], `${source} ${image}`).toEqual([want.width, want.height]);
            expectSameDetections(JSON.parse(row.DETECTIONS) as Array<Record<string, unknown>>, want.detections, `${source} ${image}`);
            compared += want.detections.length;
          }
        }
      } finally {
        await detector.dispose();
      }
      // And through the remote detector, as `defectkit registry predict` reads it (DETECTIONS arrive as JSON text).
      const remoteDetector = await (await (await registry.model(name)).version('V1')).detector();
      const viaDetector = await remoteDetector.detect(images[0]!);
      const local = await loadDetector(modelDir);
      expectSameDetections(viaDetector.detections.map((d) => ({ ...d })), (await local.detect(images[0]!)).detections, `RemoteDetector ${images[0]}`);
      await local.dispose();
      await remoteDetector.dispose();
    }
    expect(compared).toBeGreaterThan(0);
    console.log(`${recipe}: log_to_registry via the stand-in; ${compared} values compared (snowflake-local and CustomModel.predict vs local) within ${TOLERANCE}`);
  }, 900_000);
});

/** Every file under `dir`, as forward-slash paths relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
