import { InvalidArgumentError } from '@defectkit/core';
import { predictPySource } from './predict-py.js';

/** One text file of a registry package, at its path relative to the package root. */
export interface RegistryPackageFile {
  /** The path inside the package, with forward slashes (e.g. `functions/predict.py`). */
  path: string;
  /** The UTF-8 content. */
  content: string;
}

/** Options of {@link emitRegistryPackage}. */
export interface RegistryPackageOptions {
  /** The model name recorded in `model/model.yaml` (default: the card's `name`). */
  name?: string;
  /** The Python version of the warehouse runtime (default `3.11`). */
  pythonVersion?: string;
  /** The `creation_timestamp` written to `model/model.yaml` (default: now); fixed values give identical output. */
  createdAt?: Date;
}

/** The output layouts `functions/predict.py` decodes (the YOLO family and end-to-end exports). */
export const handlerLayouts = ['ultralytics-bcn', 'ultralytics-bnc', 'yolov5-bnc', 'end2end-bn6'] as const;

/** The model file the package carries beside the emitted files; the caller copies it to this path. */
export const registryPackageModelPath = 'model/model.onnx';

function yamlString(value: string): string {
  return JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar
}

function field(card: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = card[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('HANDLER_MODEL_CARD', `model card field "${name}" must be an object`, { field: name });
  }
  return value as Record<string, unknown>;
}

/**
 * The text files of a Snowflake Model Registry package for a DefectKit model card (what `CREATE MODEL ...
 * FROM @stage/path` reads): `MANIFEST.yml`, `functions/predict.py`, the runtime `conda.yml`,
 * `model/model.yaml`, `model/env/*` and `model/model.json` (the card). The caller adds
 * {@link registryPackageModelPath}. Throws `HANDLER_UNSUPPORTED_LAYOUT` for output layouts the handler
 * cannot decode and `HANDLER_MODEL_CARD` for a card without the fields it needs.
 *
 * @example
 * const files = emitRegistryPackage(JSON.parse(readFileSync('models/pcb-defects/model.json', 'utf8')));
 * for (const file of files) writeFileSync(join(dir, file.path), file.content);
 */
export function emitRegistryPackage(card: Record<string, unknown>, options: RegistryPackageOptions = {}): RegistryPackageFile[] {
  const input = field(card, 'input');
  const output = field(card, 'output');
  const thresholds = field(card, 'thresholds');
  const classes = card.classes;
  if (!Array.isArray(classes) || !classes.every((name) => typeof name === 'string')) {
    throw new InvalidArgumentError('HANDLER_MODEL_CARD', 'model card field "classes" must be an array of strings', { field: 'classes' });
  }
  const layout = output.layout;
  if (typeof layout !== 'string' || !(handlerLayouts as readonly string[]).includes(layout)) {
    throw new InvalidArgumentError('HANDLER_UNSUPPORTED_LAYOUT', `the registry handler decodes ${handlerLayouts.join(', ')}; the model card says output.layout ${JSON.stringify(layout)}`, {
      field: 'output.layout',
      value: layout,
    });
  }
  const python = options.pythonVersion ?? '3.11';
  const name = options.name ?? (typeof card.name === 'string' ? card.name : 'model');
  const createdAt = (options.createdAt ?? new Date()).toISOString();
  const config = JSON.stringify({ classes, input, output: { layout }, thresholds: { conf: 0.25, iou: 0.7, maxDet: 300, ...thresholds } });
  const condaDependencies = [`python==${python}.*`, 'numpy', 'onnxruntime', 'pandas', 'pillow'];
  const conda = [
    'name: snow-env',
    'channels:',
    '  - https://repo.anaconda.com/pkgs/snowflake',
    '  - nodefaults',
    'dependencies:',
    ...condaDependencies.map((dependency) => `  - ${dependency}`),
    '',
  ].join('\n');
  const manifest = [
    "manifest_version: '1.0'",
    'runtimes:',
    '  python_runtime:',
    '    language: PYTHON',
    `    version: '${python}'`,
    '    imports:',
    '      - model/',
    '    dependencies:',
    '      conda: runtimes/python_runtime/env/conda.yml',
    'methods:',
    '  - name: PREDICT',
    '    runtime: python_runtime',
    '    type: FUNCTION',
    '    handler: functions.predict.infer',
    '    inputs:',
    '      - name: IMAGE',
    '        type: BINARY',
    '    outputs:',
    '      - type: OBJECT',
    'target_platforms:',
    '  - WAREHOUSE',
    'user_data:',
    `  defectkit_model_card: ${yamlString('model/model.json')}`,
    '',
  ].join('\n');
  const modelYaml = [
    `creation_timestamp: ${yamlString(createdAt)}`,
    `name: ${yamlString(name)}`,
    'model_type: custom',
    "version: '2023-12-01'",
    "min_snowpark_ml_version: '1.0.12'",
    'task: UNKNOWN',
    'metadata:',
    '  defectkit_card: model.json',
    'env:',
    '  conda: env/conda.yml',
    '  pip: env/requirements.txt',
    `  python_version: '${python}'`,
    '  cuda_version: null',
    'models:',
    `  ${yamlString(name)}:`,
    `    name: ${yamlString(name)}`,
    '    model_type: custom',
    "    handler_version: '2023-12-01'",
    '    artifacts:',
    '      onnx: model.onnx',
    '      card: model.json',
    'signatures:',
    '  predict:',
    '    inputs:',
    '      - name: IMAGE',
    '        type: BYTES',
    '    outputs:',
    '      - name: DETECTIONS',
    '        type: STRING',
    '      - name: WIDTH',
    '        type: INT64',
    '      - name: HEIGHT',
    '        type: INT64',
    '',
  ].join('\n');
  return [
    { path: 'MANIFEST.yml', content: manifest },
    { path: 'functions/predict.py', content: predictPySource(config) },
    { path: 'runtimes/python_runtime/env/conda.yml', content: conda },
    { path: 'model/model.yaml', content: modelYaml },
    { path: 'model/env/conda.yml', content: conda },
    { path: 'model/env/requirements.txt', content: 'numpy\nonnxruntime\npandas\npillow\n' },
    { path: 'model/model.json', content: `${JSON.stringify(card, null, 2)}\n` },
  ];
}
