import { spawnSync } from 'node:child_process';
import { systemPython } from './paths.js';

/** One piece of Python source and the name a syntax error should be reported under. */
export interface PythonSource {
  name: string;
  code: string;
}

/**
 * Compiles each source with Python's `compile()` under {@link systemPython} (nothing is run or imported, so torch
 * need not be installed); returns the syntax errors as `name:line: message`, none when all compile.
 * Throws when Python itself cannot run, so a missing interpreter never reads as "no errors".
 */
export function pythonCompileErrors(sources: readonly PythonSource[]): string[] {
  const script = [
    'import json, sys',
    'errors = []',
    'for s in json.load(sys.stdin):',
    '    try:',
    "        compile(s['code'], s['name'], 'exec')",
    '    except SyntaxError as e:',
    "        errors.append(f\"{s['name']}:{e.lineno}: {e.msg}\")",
    'print(json.dumps(errors))',
  ].join('\n');
  const r = spawnSync(systemPython, ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${systemPython} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as string[];
}
