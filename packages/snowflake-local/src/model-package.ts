import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SnowflakeSqlError } from './errors.js';
import type { ModelVersionRecord } from './server-catalog.js';

/** What CREATE MODEL keeps from a validated package. */
export interface ModelPackage {
  methods: ModelVersionRecord['functions'];
  userData: Record<string, unknown>;
  modelType: string;
}

function invalid(file: string, field: string, problem: string): SnowflakeSqlError {
  return new SnowflakeSqlError('091131', '22023', `Invalid model package: ${file}: field '${field}' ${problem}.`, { file, field });
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a model package directory the way CREATE MODEL … FROM @stage does: MANIFEST.yml must be a
 * version 1.0 manifest whose runtimes and methods are well formed, and every file it names (imports,
 * dependency files, handler modules, user files) must exist in the package.
 */
export function readModelPackage(dir: string): ModelPackage {
  const manifestPath = join(dir, 'MANIFEST.yml');
  const file = 'MANIFEST.yml';
  if (!existsSync(manifestPath)) throw invalid(file, 'MANIFEST.yml', 'is missing (the package has no MANIFEST.yml)');
  let manifest: unknown;
  try {
    manifest = parse(readFileSync(manifestPath, 'utf8'));
  } catch (cause) {
    const line = (cause as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new SnowflakeSqlError('091131', '22023', `Invalid model package: ${file}${line ? ` line ${line}` : ''}: ${(cause as Error).message.split('\n')[0]}`, { file, line }, { cause });
  }
  if (!isMap(manifest)) throw invalid(file, '(root)', 'must be a mapping');
  if (String(manifest.manifest_version) !== '1.0') throw invalid(file, 'manifest_version', `must be '1.0', got '${String(manifest.manifest_version)}'`);
  const needFile = (field: string, rel: unknown): void => {
    if (typeof rel !== 'string' || rel === '') throw invalid(file, field, 'must be a non-empty path');
    if (rel.split('/').includes('..') || rel.startsWith('/')) throw invalid(file, field, `must stay inside the package ('${rel}')`);
    if (!existsSync(join(dir, rel))) throw invalid(file, field, `names '${rel}', which is not in the package`);
  };
  const runtimes = manifest.runtimes;
  if (!isMap(runtimes) || Object.keys(runtimes).length === 0) throw invalid(file, 'runtimes', 'must map runtime names to runtimes');
  for (const [name, runtime] of Object.entries(runtimes)) {
    const at = `runtimes.${name}`;
    if (!isMap(runtime)) throw invalid(file, at, 'must be a mapping');
    if (String(runtime.language).toUpperCase() !== 'PYTHON') throw invalid(file, `${at}.language`, "must be 'PYTHON'");
    if (runtime.imports !== undefined) {
      if (!Array.isArray(runtime.imports)) throw invalid(file, `${at}.imports`, 'must be a list');
      runtime.imports.forEach((imp, i) => needFile(`${at}.imports[${i}]`, imp));
    }
    if (runtime.dependencies !== undefined) {
      if (!isMap(runtime.dependencies)) throw invalid(file, `${at}.dependencies`, 'must be a mapping');
      for (const key of ['conda', 'pip'] as const) {
        if (runtime.dependencies[key] !== undefined) needFile(`${at}.dependencies.${key}`, runtime.dependencies[key]);
      }
    }
  }
  if (!Array.isArray(manifest.methods) || manifest.methods.length === 0) throw invalid(file, 'methods', 'must be a non-empty list');
  const methods = manifest.methods.map((m: unknown, i: number) => {
    const at = `methods[${i}]`;
    if (!isMap(m)) throw invalid(file, at, 'must be a mapping');
    if (typeof m.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(m.name)) throw invalid(file, `${at}.name`, 'must be an identifier');
    if (typeof m.runtime !== 'string' || !(m.runtime in runtimes)) throw invalid(file, `${at}.runtime`, `must name one of the runtimes (${Object.keys(runtimes).join(', ')})`);
    const type = String(m.type ?? '').toUpperCase();
    if (type !== 'FUNCTION' && type !== 'TABLE_FUNCTION') throw invalid(file, `${at}.type`, "must be 'FUNCTION' or 'TABLE_FUNCTION'");
    if (typeof m.handler !== 'string' || !/^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$/.test(m.handler)) throw invalid(file, `${at}.handler`, "must be 'module.path.function'");
    const module = m.handler.split('.').slice(0, -1).join('/');
    needFile(`${at}.handler`, `${module}.py`);
    const io = (key: 'inputs' | 'outputs'): { name: string; type: string }[] => {
      const list = m[key];
      if (!Array.isArray(list) || (key === 'outputs' && list.length === 0)) throw invalid(file, `${at}.${key}`, 'must be a list');
      return list.map((x: unknown, j: number) => {
        if (!isMap(x) || typeof x.type !== 'string') throw invalid(file, `${at}.${key}[${j}].type`, 'must be an SQL type name');
        if (key === 'inputs' && typeof x.name !== 'string') throw invalid(file, `${at}.${key}[${j}].name`, 'must be a string');
        return { name: typeof x.name === 'string' ? x.name.toUpperCase() : '', type: x.type.toUpperCase() };
      });
    };
    return { name: m.name.toUpperCase(), type, handler: m.handler, inputs: io('inputs'), outputs: io('outputs') };
  });
  if (manifest.user_files !== undefined) {
    if (!Array.isArray(manifest.user_files)) throw invalid(file, 'user_files', 'must be a list');
    manifest.user_files.forEach((f, i) => needFile(`user_files[${i}]`, f));
  }
  let modelType = 'custom';
  const modelYaml = join(dir, 'model', 'model.yaml');
  if (existsSync(modelYaml)) {
    try {
      const spec = parse(readFileSync(modelYaml, 'utf8')) as unknown;
      if (isMap(spec) && typeof spec.model_type === 'string') modelType = spec.model_type;
    } catch (cause) {
      throw new SnowflakeSqlError('091131', '22023', `Invalid model package: model/model.yaml: ${(cause as Error).message.split('\n')[0]}`, { file: 'model/model.yaml' }, { cause });
    }
  }
  return { methods, userData: isMap(manifest.user_data) ? manifest.user_data : {}, modelType };
}
