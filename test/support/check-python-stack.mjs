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
