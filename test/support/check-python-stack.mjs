#!/usr/bin/env node
// Pre-check of `npm run test:python`: the `*.python.test.ts` files need Debian's python3 with torch, torchvision,
// onnx, numpy, OpenCV, PyYAML and Pillow, and CPython 3.11 with offline wheels for the model-handler runtime.
// Without them, say in one line what to install instead of dozens of stack traces.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const python = process.env.DEFECTKIT_PYTHON ?? '/usr/bin/python3';
// Python module name -> the Debian package that provides it.
const modules = { torch: 'python3-torch', torchvision: 'python3-torchvision', onnx: 'python3-onnx', numpy: 'python3-numpy', cv2: 'python3-opencv', yaml: 'python3-yaml', PIL: 'python3-pil' };
const probe = `import importlib.util, json; print(json.dumps([m for m in ${JSON.stringify(Object.keys(modules))} if importlib.util.find_spec(m) is None]))`;
const r = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
const missing = r.status === 0 ? JSON.parse(r.stdout) : Object.keys(modules);
const problems = [];
if (missing.length > 0) {
  const what = r.status === 0 ? `${python} lacks ${missing.join(', ')}` : `${python} cannot run (${r.error?.code ?? r.stderr.trim().split('\n').pop()})`;
  problems.push(`${what}: apt-get install python3 ${missing.map((m) => modules[m]).join(' ')} (or set DEFECTKIT_PYTHON)`);
}
// The model-handler runtime (packages/snowflake-local/src/python-env.ts): python3.11 and wheels of its packages.
const python311 = process.env.DEFECTKIT_PYTHON311 ?? 'python3.11';
if (spawnSync(python311, ['--version']).status !== 0) problems.push(`${python311} is missing: install CPython 3.11 (or set DEFECTKIT_PYTHON311)`);
const wheels = process.env.DEFECTKIT_WHEELS ?? '/opt/pypi/files';
const files = existsSync(wheels) ? readdirSync(wheels) : [];
const absent = ['numpy', 'onnxruntime', 'pandas', 'pillow'].filter((p) => !files.some((f) => f.toLowerCase().startsWith(`${p}-`)));
if (absent.length > 0) problems.push(`no ${absent.join(', ')} wheels in ${wheels} (set DEFECTKIT_WHEELS to a folder of CPython 3.11 wheels)`);
if (problems.length > 0) {
  process.stderr.write(`test:python: missing ${problems.join('; ')}\n`);
  process.exit(1);
}
