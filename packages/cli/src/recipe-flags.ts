import type { Command } from 'commander';
import type { EmitOptions, SnowflakeNames } from '@defectkit/notebooks';

/** The recipe flags `notebook emit` and `snowflake deploy` share (commander's parsed values). */
export interface RecipeFlags {
  recipe: string;
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
  cloud?: string;
  /** `--pretrained [source]` gives true or a source; `--no-pretrained` gives false. */
  pretrained?: boolean | string;
  instanceFamily?: string;
  database?: string;
  schema?: string;
  stageName?: string;
  warehouse?: string;
  computePool?: string;
  role?: string;
  networkRule?: string;
  integration?: string;
  notebookName?: string;
}

/** Parses an integer flag; the recipe options check the range and name the field. */
function intFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** Adds the recipe flags (model options, cloud, pretrained weights, Snowflake object names) to a command. */
export function addRecipeOptions(command: Command): Command {
  return command
    .requiredOption('--recipe <name>', 'pcb-detector, faster-rcnn, ultralytics or classifier')
    .option('--name <name>', 'model name (lower-case, dashes), e.g. pcb-defects; also names the Snowflake objects')
    .option('--dataset <path>', 'stage path (@DB.SCHEMA.STAGE/path) or local dataset folder')
    .option('--epochs <n>', 'training epochs')
    .option('--imgsz <n>', 'network input size')
    .option('--classes <list>', 'comma-separated class names')
    .option('--gpus <n>', 'GPUs to train on in Snowflake (one worker each)')
    .option('--channels <n>', 'pcb-detector: 1 (grayscale) or 3 (RGB)')
    .option('--backbone <name>', 'faster-rcnn: tiny, mobilenet_v3_large_fpn, resnet18_fpn or resnet50_fpn')
    .option('--weights <name>', 'ultralytics: weights name such as yolov8n.pt, yolo11s.pt, yolo12n.pt')
    .option('--arch <name>', 'classifier: resnet18, resnet34, resnet50, vgg11_bn or vgg16_bn')
    .option('--pretrained [source]', 'start from pretrained weights (default where the recipe has them): coco, imagenet')
    .option('--no-pretrained', 'random initialisation')
    .option('--cloud <cloud>', "the account's cloud, which names the GPU instance families: aws (default), azure or gcp")
    .option('--instance-family <family>', 'compute pool instance family (overrides the pick from --gpus and --cloud)')
    .option('--database <DB>', 'database (default DEFECTKIT_<NAME>)')
    .option('--schema <SCHEMA>', 'schema (default TRAINING)')
    .option('--stage-name <STAGE>', 'stage for datasets, code and models (default DEFECTKIT_STAGE)')
    .option('--warehouse <WH>', 'warehouse (default DEFECTKIT_<NAME>_WH)')
    .option('--compute-pool <POOL>', 'GPU compute pool (default DEFECTKIT_<NAME>_POOL)')
    .option('--role <ROLE>', 'training role (default DEFECTKIT_<NAME>_TRAINER)')
    .option('--network-rule <RULE>', 'egress network rule (default DEFECTKIT_<NAME>_EGRESS)')
    .option('--integration <EAI>', 'external access integration (default DEFECTKIT_<NAME>_ACCESS)')
    .option('--notebook-name <NOTEBOOK>', 'notebook object (default <NAME>_TRAINING)');
}

/** The recipe options of the parsed flags (validation, with the field named, is `resolveOptions`'s). */
export function recipeOptions(flags: RecipeFlags): EmitOptions {
  const channels = intFlag(flags.channels);
  const names: Partial<SnowflakeNames> = {};
  const named: [keyof SnowflakeNames, string | undefined][] = [
    ['instanceFamily', flags.instanceFamily],
    ['database', flags.database],
    ['schema', flags.schema],
    ['stage', flags.stageName],
    ['warehouse', flags.warehouse],
    ['computePool', flags.computePool],
    ['role', flags.role],
    ['networkRule', flags.networkRule],
    ['integration', flags.integration],
    ['notebook', flags.notebookName],
  ];
  for (const [key, value] of named) if (value !== undefined) names[key] = value;
  return {
    recipe: flags.recipe as never,
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
    ...(flags.cloud === undefined ? {} : { cloud: flags.cloud as never }),
    ...(flags.pretrained === undefined ? {} : { pretrained: flags.pretrained as never }),
    ...(Object.keys(names).length === 0 ? {} : { snowflake: names }),
  };
}
