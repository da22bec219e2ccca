// The faster-rcnn notebook hands PyTorchDistributor's workers absolute folders: a relative --out (the default
// `runs/<name>`) is resolved against the notebook's working directory before the workers start, since a Ray worker
// may start elsewhere and would otherwise write (and the driver read back) a different folder. Run under Debian's
// python3 with the emitted train.py's own main(), a fake Snowpark session and a recording stand-in of
// snowflake.ml's PyTorchDistributor (the real one needs a Snowflake container runtime).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emitNotebookProject } from '@defectkit/notebooks';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-dist-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('faster-rcnn under PyTorchDistributor', () => {
  it('passes the workers absolute data and output folders, and the notebook CONFIG (no kernel argv)', async () => {
    const { dir } = await emitNotebookProject({ recipe: 'faster-rcnn', out: join(work, 'p'), gpus: 4 });
    const cwd = join(work, 'notebook-cwd');
    mkdirSync(cwd);
    const harness = [
      'import importlib.util, json, os, sys, types',
      // Stand-ins of the two Snowflake modules main() imports (recording, then stopping before training).
      'seen = {}',
      'class Stop(Exception): pass',
      'class Distributor:',
      '    def __init__(self, train_func, scaling_config): seen["workers"] = scaling_config.num_workers_per_node',
      '    def run(self, hyper_params): seen.update(hyper_params); raise Stop()',
      'class Cfg:',
      '    def __init__(self, **kw): self.__dict__.update(kw)',
      "pt = types.ModuleType('snowflake.ml.modeling.distributors.pytorch')",
      'pt.PyTorchDistributor, pt.PyTorchScalingConfig, pt.WorkerResourceConfig = Distributor, Cfg, Cfg',
      'class Rows:',
      '    def collect(self): return []',
      'class Session:',
      '    def sql(self, q): return Rows()',
      "ctx = types.ModuleType('snowflake.snowpark.context'); ctx.get_active_session = lambda: Session()",
      "for name in ['snowflake', 'snowflake.ml', 'snowflake.ml.modeling', 'snowflake.ml.modeling.distributors', 'snowflake.snowpark']:",
      '    sys.modules[name] = types.ModuleType(name)',
      "sys.modules['snowflake.ml.modeling.distributors.pytorch'] = pt",
      "sys.modules['snowflake.snowpark.context'] = ctx",
      // As a notebook kernel runs it: no __file__, the kernel's argv.
      "sys.argv = ['ipykernel_launcher.py', '-f', 'kernel.json']",
      "code = open(os.environ['TRAIN_PY']).read().replace(\"if __name__ == '__main__':\\n    main(ARGS)\", '')",
      "g = {'__name__': '__main__'}",
      "exec(compile(code, 'notebook', 'exec'), g)",
      'try:',
      "    g['main'](g['ARGS'])",
      'except Stop:',
      '    pass',
      'print(json.dumps(seen))',
    ].join('\n');
    const r = spawnSync(systemPython, ['-c', harness], { cwd, encoding: 'utf8', env: { ...process.env, TRAIN_PY: join(dir, 'train.py') } });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop()!) as { workers: number; argv: string; out_dir: string; data_dir: string };
    expect(seen.workers).toBe(4);
    expect(JSON.parse(seen.argv)).toEqual([]); // workers parse the emitted CONFIG, never the kernel's flags
    expect(seen.out_dir).toBe(join(cwd, 'runs', 'pcb-defects-frcnn'));
    expect(seen.data_dir).toBe('/tmp/defectkit-data');
  }, 120_000);
});
