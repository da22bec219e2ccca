import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';
import { numberOption } from '../option-parsers.js';
import { untilInterrupted } from '../until-interrupted.js';

interface ServeFlags {
  port: number;
  model?: string | true;
  registryDir?: string;
  log: string;
}

/** The prefix of a `--model` that names a version of the local registry. */
const REGISTRY_PREFIX = 'registry:';

/** Registers `defectkit serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the local web app on 127.0.0.1: the Vision Lab (inference runs in the page with onnxruntime-web; no image leaves the machine).')
    .addHelpText(
      'after',
      helpFooter(
        ['defectkit serve', 'defectkit serve --port 0 --model models/pcb-defects', 'defectkit serve --model registry:PCB_DEFECTS@V1'],
        [ENV.model, ['DEFECTKIT_HOME', 'the local registry of --model registry:... is DEFECTKIT_HOME/registry (default ~/.defectkit/registry)']],
      ),
    )
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', numberOption('port', { min: 0, max: 65535, integer: true, expected: 'an integer 0-65535' }), 8686)
    .option(
      '-m, --model [model]',
      'model folder (model.onnx + model.json) or .onnx file the page runs, or registry:<NAME>[@<version or alias>] from the local registry; without a value: the shipped models/pcb-defects',
    )
    .option('--registry-dir <dir>', 'the local registry folder for --model registry:... (default $DEFECTKIT_HOME/registry, ~/.defectkit/registry)')
    .option('--log <target>', 'the inspection log the dashboard (/dashboard) and review page (/review) read: local ($DEFECTKIT_HOME/inspection.duckdb), snowflake or snowflake:<connection>', 'local')
    .action(async (flags: ServeFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const { mkdtemp, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const { defaultModelDir, findModelFiles } = await import('@defectkit/backend-node');
      const model = typeof flags.model === 'string' ? flags.model : defaultModelDir();
      let exported: string | undefined;
      let files: { onnx: string; card: string | undefined };
      if (model.startsWith(REGISTRY_PREFIX)) {
        // A registry version is exported to a private temporary folder for the life of the server.
        const [name = '', version = 'DEFAULT'] = model.slice(REGISTRY_PREFIX.length).split('@');
        if (name === '') throw new InvalidArgumentError('INVALID_OPTION', `--model ${model}: name the model, registry:<NAME>[@<version>]`, { field: 'model', value: model });
        const { LocalRegistry } = await import('@defectkit/registry');
        const registry = new LocalRegistry(flags.registryDir === undefined ? {} : { dir: flags.registryDir });
        const chosen = await (await registry.model(name)).version(version);
        exported = await mkdtemp(join(tmpdir(), 'defectkit-serve-'));
        await chosen.export(join(exported, 'model'));
        files = findModelFiles(join(exported, 'model'));
      } else files = findModelFiles(model);
      const { inspectionSource, isInspectionTarget } = await import('@defectkit/inspection');
      if (!isInspectionTarget(flags.log)) throw new InvalidArgumentError('INVALID_OPTION', `--log must be local, snowflake or snowflake:<connection> (got "${flags.log}")`, { field: 'log', value: flags.log });
      const { dashboardRoutes, startAppServer } = await import('@defectkit/app');
      const source = inspectionSource(flags.log, { warn: (message) => process.stderr.write(`defectkit: warning: ${message}\n`) });
      const app = await startAppServer({ port: flags.port, model: { onnx: files.onnx, card: files.card }, routes: await dashboardRoutes(source) });
      process.stdout.write(`listening ${app.url}\n`);
      await untilInterrupted();
      await app.close();
      await source.close();
      if (exported) await rm(exported, { recursive: true, force: true });
    });
}
