import { Command, CommanderError } from 'commander';
import { asTypedError } from '@defectkit/core/node';
import { registerCommands } from './commands/index.js';
import { ENV, helpFooter } from './help-examples.js';
import { cliHint } from './error-hints.js';

/** Builds the `defectkit` command tree. Heavy packages are imported inside each action, so `--help` stays fast. */
export function buildProgram(): Command {
  const program = new Command('defectkit')
    .description('Visual defect detection (PCB defects on DeepPCB and beyond): datasets, detection, evaluation, training notebooks, registry.')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit detect ../shared/data/deeppcb/PCBData/group00041/00041/00041000_test.jpg --save-annotated out/',
          'defectkit convert --from deeppcb --to yolo --input ../shared/data/deeppcb --output data/pcb-yolo --split train=0.9,val=0.1',
          'defectkit eval --gt data/pcb-yolo --gt-format yolo --split val --pred val.coco.json --protocol coco',
          'defectkit detect --help',
        ],
        [ENV.model, ENV.home, ENV.snowflakeHome, ENV.ortInstall],
      ),
    )
    .version('0.1.0')
    .showHelpAfterError()
    // Root options count only before the subcommand, so `registry show X --version V` reaches the subcommand
    // instead of printing the program version (`defectkit --version` still works).
    .enablePositionalOptions()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI and returns the process exit code; typed errors print their code and details instead of a stack. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const typed = asTypedError(error);
    const hint = cliHint(typed);
    process.stderr.write(`defectkit: error ${typed.code}: ${typed.message}${hint ? ` (${hint})` : ''}${typed.code === 'INTERNAL' ? ' (DEFECTKIT_DEBUG=1 prints the stack)' : ''}\n`);
    // The stack of an unexpected failure is for bug reports only, never shown by default.
    if (typed.code === 'INTERNAL' && process.env.DEFECTKIT_DEBUG === '1' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
