import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';

interface ServeFlags {
  port: string;
  model?: string | true;
}

/** Registers `defectkit serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the local web app on 127.0.0.1: the Vision Lab (inference runs in the page with onnxruntime-web; no image leaves the machine).')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit serve',
          'defectkit serve --port 0 --model models/pcb-defects-frcnn',
        ],
        [ENV.model],
      ),
    )
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', '8686')
    .option('-m, --model [path]', 'model folder (model.onnx + model.json) or .onnx file the page runs (default: $DEFECTKIT_MODEL, else the shipped PCB model)')
    .action(async (flags: ServeFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) {
        throw new InvalidArgumentError('INVALID_OPTION', `--port must be an integer 0-65535 (got "${flags.port}")`, { field: 'port', value: flags.port });
      }
      const { defaultModelDir, findModelFiles } = await import('@defectkit/backend-node');
      const files = findModelFiles(typeof flags.model === 'string' ? flags.model : defaultModelDir());
      const { startAppServer } = await import('@defectkit/app');
      const app = await startAppServer({ port, model: { onnx: files.onnx, card: files.card } });
      process.stdout.write(`listening ${app.url}\n`);
      // Serve until interrupted.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await app.close();
    });
}
