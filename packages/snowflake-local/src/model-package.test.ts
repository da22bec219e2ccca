import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnowflakeSqlError } from './errors.js';
import { readModelPackage } from './model-package.js';

const GOOD = `manifest_version: '1.0'
runtimes:
  python_runtime:
    language: PYTHON
    imports: [model/]
    dependencies: {conda: env/conda.yml}
methods:
  - {name: predict, runtime: python_runtime, type: FUNCTION, handler: functions.predict.infer, inputs: [{name: image, type: binary}], outputs: [{type: OBJECT}]}
user_data: {owner: qa}
`;

const dirs: string[] = [];
function pkg(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfl-pkg-'));
  dirs.push(dir);
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  return dir;
}
const complete = { 'functions/predict.py': '', 'env/conda.yml': '', 'model/model.onnx': '' };

function problem(dir: string): SnowflakeSqlError {
  try {
    readModelPackage(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(SnowflakeSqlError);
    return error as SnowflakeSqlError;
  }
  throw new Error('expected an invalid package');
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('readModelPackage', () => {
  it('reads methods (names and types upper-cased) and user data from a valid package', () => {
    const p = readModelPackage(pkg({ 'MANIFEST.yml': GOOD, ...complete }));
    expect(p.methods).toEqual([{ name: 'PREDICT', type: 'FUNCTION', handler: 'functions.predict.infer', inputs: [{ name: 'IMAGE', type: 'BINARY' }], outputs: [{ name: '', type: 'OBJECT' }] }]);
    expect(p.userData).toEqual({ owner: 'qa' });
    expect(p.modelType).toBe('custom');
  });

  it('names the field and file of each problem', () => {
    expect(problem(pkg(complete)).message).toContain('MANIFEST.yml');
    expect(problem(pkg({ 'MANIFEST.yml': GOOD.replace("'1.0'", "'2.0'"), ...complete })).details.field).toBe('manifest_version');
    const noConda = pkg({ 'MANIFEST.yml': GOOD, 'functions/predict.py': '', 'model/model.onnx': '' });
    expect(problem(noConda).details.field).toBe('runtimes.python_runtime.dependencies.conda');
    const badRuntime = pkg({ 'MANIFEST.yml': GOOD.replace('runtime: python_runtime', 'runtime: gpu'), ...complete });
    expect(problem(badRuntime).details.field).toBe('methods[0].runtime');
    const escape = pkg({ 'MANIFEST.yml': GOOD.replace('imports: [model/]', 'imports: [../outside]'), ...complete });
    expect(problem(escape).message).toContain('must stay inside the package');
    const yamlError = problem(pkg({ 'MANIFEST.yml': 'methods: [unclosed\n', ...complete }));
    expect(yamlError.details.file).toBe('MANIFEST.yml');
  });
});
