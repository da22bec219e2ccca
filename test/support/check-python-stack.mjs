#!/usr/bin/env node
// Pre-check of `npm run test:python`: the `*.python.test.ts` files need Debian's python3 with torch, torchvision,
// onnx, numpy, OpenCV, PyYAML and Pillow. Without them, say in one line what to install instead of 20 stack traces.
import { spawnSync } from 'node:child_process';

const python = process.env.DEFECTKIT_PYTHON ?? '/usr/bin/python3';
// Python module name -> the Debian package that provides it.
const modules = { torch: 'python3-torch', torchvision: 'python3-torchvision', onnx: 'python3-onnx', numpy: 'python3-numpy', cv2: 'python3-opencv', yaml: 'python3-yaml', PIL: 'python3-pil' };
const probe = `import importlib.util, json; print(json.dumps([m for m in ${JSON.stringify(Object.keys(modules))} if importlib.util.find_spec(m) is None]))`;
const r = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
const missing = r.status === 0 ? JSON.parse(r.stdout) : Object.keys(modules);
if (missing.length > 0) {
  const what = r.status === 0 ? `${python} lacks ${missing.join(', ')}` : `${python} cannot run (${r.error?.code ?? r.stderr.trim().split('\n').pop()})`;
  process.stderr.write(`test:python: ${what}; install them with: apt-get install python3 ${missing.map((m) => modules[m]).join(' ')} (or set DEFECTKIT_PYTHON)\n`);
  process.exit(1);
}

// snowflake-local runs model handlers in a CPython 3.11 virtualenv built from offline wheels (model-handler-*,
// registry-snowflake-predict, detector-conformance-remote): check the interpreter and the wheel folder too.
const python311 = process.env.DEFECTKIT_PYTHON311 ?? 'python3.11';
const wheels = process.env.DEFECTKIT_WHEELS ?? '/opt/pypi/files';
const v = spawnSync(python311, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
if (v.status !== 0 || v.stdout.trim() !== '3.11') {
  process.stderr.write(`test:python: model handlers need CPython 3.11: "${python311}" ${v.status === 0 ? `is ${v.stdout.trim()}` : 'cannot run'} (install python3.11 or set DEFECTKIT_PYTHON311)\n`);
  process.exit(1);
}
const { readdirSync, existsSync } = await import('node:fs');
const files = existsSync(wheels) ? readdirSync(wheels).map((f) => f.toLowerCase()) : [];
const lacking = ['numpy', 'onnxruntime', 'pandas', 'pillow'].filter((name) => !files.some((f) => f.startsWith(`${name}-`) && f.endsWith('.whl')));
if (lacking.length > 0) {
  process.stderr.write(`test:python: the wheel folder ${wheels} lacks ${lacking.join(', ')} for CPython 3.11 (set DEFECTKIT_WHEELS to a folder filled by pip download)\n`);
  process.exit(1);
}
