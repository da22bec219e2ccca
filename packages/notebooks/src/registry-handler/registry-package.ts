import { parseModelCard } from '@defectkit/detector';

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

/** The model file the package carries beside the emitted files; the caller copies it to this path. */
export const registryPackageModelPath = 'model/model.onnx';

/** Where the handler sits in a registry package; the manifest's `handler` is `functions.predict.infer`. */
export const registryPackageHandlerPath = 'functions/predict.py';

/** The packages the handler imports, as the conda / pip names the warehouse and a local venv install. */
export const handlerDependencies = ['numpy', 'onnxruntime', 'pandas', 'pillow'] as const;

function yamlString(value: string): string {
  return JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar
}

/**
 * The text files of a Snowflake Model Registry package for a DefectKit model card (what `CREATE MODEL ...
 * FROM @stage/path` reads): `MANIFEST.yml`, `functions/predict.py` (the handler, `handlerSource`: the text
 * of `templates/defectkit_handler.py`, read with `readHandlerSource()` from the `/node` entry), the
 * runtime `conda.yml`, `model/model.yaml`, `model/env/*` and `model/model.json` (the card). The caller adds
 * {@link registryPackageModelPath}. Every family of the card schema is served by the one handler, so the
 * only refusal is an invalid card (`MODEL_CARD_INVALID`, from `@defectkit/detector`'s parser).
 *
 * @example
 * const files = emitRegistryPackage(JSON.parse(readFileSync('models/pcb-defects/model.json', 'utf8')), await readHandlerSource());
 * for (const file of files) writeFileSync(join(dir, file.path), file.content);
 */
export function emitRegistryPackage(card: unknown, handlerSource: string, options: RegistryPackageOptions = {}): RegistryPackageFile[] {
  const parsed = parseModelCard(card, 'model.json');
  const python = options.pythonVersion ?? '3.11';
  const name = options.name ?? parsed.name;
  const createdAt = (options.createdAt ?? new Date()).toISOString();
  const conda = [
    'name: snow-env',
    'channels:',
    '  - https://repo.anaconda.com/pkgs/snowflake',
    '  - nodefaults',
    'dependencies:',
    `  - python==${python}.*`,
    ...handlerDependencies.map((dependency) => `  - ${dependency}`),
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
    '      - name: LABELS',
    '        type: STRING',
    '',
  ].join('\n');
  return [
    { path: 'MANIFEST.yml', content: manifest },
    { path: registryPackageHandlerPath, content: handlerSource },
    { path: 'runtimes/python_runtime/env/conda.yml', content: conda },
    { path: 'model/model.yaml', content: modelYaml },
    { path: 'model/env/conda.yml', content: conda },
    { path: 'model/env/requirements.txt', content: `${handlerDependencies.join('\n')}\n` },
    { path: 'model/model.json', content: `${JSON.stringify(card, null, 2)}\n` },
  ];
}
