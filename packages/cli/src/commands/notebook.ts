import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';

interface EmitFlags {
  recipe: string;
  out: string;
  name?: string;
  dataset?: string;
  epochs?: string;
  imgsz?: string;
  classes?: string;
  gpus?: string;
  channels?: string;
  backbone?: string;
  weights?: string;
  arch?: string;
  overwrite?: boolean;
  json?: boolean;
}

/** Parses an integer flag; the recipe options check the range and name the field. */
function intFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
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
  notebook
    .command('emit')
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
    .requiredOption('--recipe <name>', 'pcb-detector, faster-rcnn, ultralytics or classifier')
    .requiredOption('--out <dir>', 'output folder (must be absent or empty unless --overwrite)')
    .option('--name <name>', 'model name (lower-case, dashes), e.g. pcb-defects')
    .option('--dataset <path>', 'stage path (@DB.SCHEMA.STAGE/path) or local dataset folder')
    .option('--epochs <n>', 'training epochs')
    .option('--imgsz <n>', 'network input size')
    .option('--classes <list>', 'comma-separated class names')
    .option('--gpus <n>', 'GPUs to train on in Snowflake (one worker each)')
    .option('--channels <n>', 'pcb-detector: 1 (grayscale) or 3 (RGB)')
    .option('--backbone <name>', 'faster-rcnn: tiny, mobilenet_v3_large_fpn, resnet18_fpn or resnet50_fpn')
    .option('--weights <name>', 'ultralytics: weights name such as yolov8n.pt, yolo11s.pt, yolo12n.pt')
    .option('--arch <name>', 'classifier: resnet18, resnet34, resnet50, vgg11_bn or vgg16_bn')
    .option('--overwrite', 'replace a non-empty output folder')
    .option('--json', 'print the emitted files and resolved options as JSON')
    .action(async (flags: EmitFlags) => {
      const { emitNotebookProject } = await import('@defectkit/notebooks');
      const channels = intFlag(flags.channels);
      const result = await emitNotebookProject({
        recipe: flags.recipe as never,
        out: flags.out,
        overwrite: flags.overwrite ?? false,
        ...(flags.name === undefined ? {} : { name: flags.name }),
        ...(flags.dataset === undefined ? {} : { dataset: flags.dataset }),
        ...(flags.epochs === undefined ? {} : { epochs: intFlag(flags.epochs)! }),
        ...(flags.imgsz === undefined ? {} : { imgsz: intFlag(flags.imgsz)! }),
        ...(flags.gpus === undefined ? {} : { gpus: intFlag(flags.gpus)! }),
        ...(flags.classes === undefined ? {} : { classes: flags.classes.split(',').map((c) => c.trim()) }),
        ...(channels === undefined ? {} : { channels: channels as 1 | 3 }),
        ...(flags.backbone === undefined ? {} : { backbone: flags.backbone as never }),
        ...(flags.weights === undefined ? {} : { weights: flags.weights }),
        ...(flags.arch === undefined ? {} : { arch: flags.arch as never }),
      });
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
