import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';
import { addRecipeOptions, recipeOptions, type RecipeFlags } from '../recipe-flags.js';

interface EmitFlags extends RecipeFlags {
  out: string;
  overwrite?: boolean;
  json?: boolean;
}

/** Registers `defectkit notebook`: emits training projects (Snowflake Notebook + local script + SQL). */
export function registerNotebook(program: Command): void {
  const notebook = program.command('notebook').description('Training notebooks for Snowflake GPU compute pools (and the same code as a local script)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit notebook emit --recipe pcb-detector --out train-pcb',
          'defectkit notebook emit --recipe faster-rcnn --out frcnn --gpus 4 --epochs 30',
        ],
        [],
      ),
    );
  addRecipeOptions(notebook.command('emit'))
    .description('Write a training project: notebook.ipynb, train.py (--local mode), setup.sql, teardown.sql, snowflake.yml, environment.yml, README.md')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit notebook emit --recipe pcb-detector --out train-pcb',
          'defectkit notebook emit --recipe faster-rcnn --out frcnn --gpus 4 --epochs 30 --dataset @DEFECTKIT.TRAINING.DEFECTKIT_STAGE/datasets/pcb',
          'defectkit notebook emit --recipe classifier --out xray --classes NORMAL,PNEUMONIA --imgsz 224',
        ],
        [],
      ),
    )
    .requiredOption('--out <dir>', 'output folder (must be absent or empty unless --overwrite)')
    .option('--overwrite', 'replace a non-empty output folder')
    .option('--json', 'print the emitted files and resolved options as JSON')
    .action(async (flags: EmitFlags) => {
      const { emitNotebookProject } = await import('@defectkit/notebooks');
      const result = await emitNotebookProject({ ...recipeOptions(flags), out: flags.out, overwrite: flags.overwrite ?? false });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ dir: result.dir, options: result.options, files: result.files.map((f) => f.path) }, null, 2)}\n`);
        return;
      }
      const lines = [`emitted ${result.options.recipe} project "${result.options.name}" -> ${result.dir}`];
      for (const f of result.files) lines.push(`  ${f.path}`);
      lines.push(`run locally: python ${result.dir}/train.py --local --data <dataset folder> --out <folder>`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
