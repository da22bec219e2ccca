import { NotebookOptionsError } from './errors.js';
import { CLOUDS, gpuInstanceFamily, type Cloud } from './instance-families.js';

/** The training recipes DefectKit can emit. */
export const RECIPE_NAMES = ['pcb-detector', 'faster-rcnn', 'ultralytics', 'classifier'] as const;
/** One of {@link RECIPE_NAMES}. */
export type RecipeName = (typeof RECIPE_NAMES)[number];

/** Faster R-CNN backbones the `faster-rcnn` recipe builds. */
export const RCNN_BACKBONES = ['tiny', 'mobilenet_v3_large_fpn', 'resnet18_fpn', 'resnet50_fpn'] as const;
/** Classifier architectures the `classifier` recipe builds (torchvision). */
export const CLASSIFIER_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'vgg11_bn', 'vgg16_bn'] as const;
/** Ultralytics weights names: v8, 11 and 12 families, sizes n/s/m/l/x. */
export const ULTRALYTICS_WEIGHTS = /^(yolov8|yolo11|yolo12)[nsmlx]\.pt$/;

/** Where pretrained weights come from: none (random init), ImageNet (backbone / classifier) or COCO (whole detector). */
export const PRETRAINED_SOURCES = ['none', 'imagenet', 'coco'] as const;
/** One of {@link PRETRAINED_SOURCES}. */
export type PretrainedSource = (typeof PRETRAINED_SOURCES)[number];

/** Names of the Snowflake objects the emitted SQL creates and the notebook uses. */
export interface SnowflakeNames {
  database: string;
  schema: string;
  stage: string;
  warehouse: string;
  computePool: string;
  /** Compute pool instance family, picked per cloud from the GPU count (e.g. AWS `GPU_NV_S` for 1, `GPU_NV_M` up to 4). */
  instanceFamily: string;
  role: string;
  networkRule: string;
  integration: string;
  notebook: string;
}

/** What `emitProject` accepts; everything but `recipe` has a default. */
export interface EmitOptions {
  recipe: RecipeName;
  /** Model name (card `name`, file names); default per recipe, e.g. `pcb-defects`. */
  name?: string;
  /** Stage path (`@DB.SCHEMA.STAGE/path`) or local YOLO / image-folder dataset. */
  dataset?: string;
  epochs?: number;
  imgsz?: number;
  classes?: string[];
  /** GPUs (one training worker each) in Snowflake. */
  gpus?: number;
  /** pcb-detector: 1 (grayscale) or 3 (RGB) input channels. */
  channels?: 1 | 3;
  /** faster-rcnn backbone. */
  backbone?: (typeof RCNN_BACKBONES)[number];
  /** ultralytics weights name, e.g. `yolo11n.pt`. */
  weights?: string;
  /** classifier architecture. */
  arch?: (typeof CLASSIFIER_ARCHS)[number];
  /** The account's cloud, which names the GPU instance families (default aws). */
  cloud?: Cloud;
  /**
   * Pretrained weights: `true` for the recipe's best source (classifier: ImageNet; faster-rcnn: COCO for the
   * torchvision detectors, ImageNet for resnet18_fpn; ultralytics: the named checkpoint), `false` or `none` for
   * random initialisation, or a source by name.
   */
  pretrained?: boolean | PretrainedSource;
  /** Overrides for the Snowflake object names. */
  snowflake?: Partial<SnowflakeNames>;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  recipe: RecipeName;
  name: string;
  dataset: string;
  epochs: number;
  imgsz: number;
  classes: string[];
  gpus: number;
  channels: 1 | 3;
  backbone: (typeof RCNN_BACKBONES)[number];
  weights: string;
  arch: (typeof CLASSIFIER_ARCHS)[number];
  cloud: Cloud;
  pretrained: PretrainedSource;
  snowflake: SnowflakeNames;
}

const PCB_CLASSES = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];

const DEFAULTS: Record<RecipeName, { name: string; epochs: number; imgsz: number; classes: string[] }> = {
  'pcb-detector': { name: 'pcb-defects', epochs: 300, imgsz: 640, classes: PCB_CLASSES },
  'faster-rcnn': { name: 'pcb-defects-frcnn', epochs: 50, imgsz: 640, classes: PCB_CLASSES },
  ultralytics: { name: 'pcb-defects-yolo', epochs: 100, imgsz: 640, classes: PCB_CLASSES },
  classifier: { name: 'xray-pneumonia', epochs: 20, imgsz: 224, classes: ['NORMAL', 'PNEUMONIA'] },
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
const CLASS_NAME = /^[^,\s'"\\][^,'"\\]*$/;

function positiveInt(field: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new NotebookOptionsError(`${field} must be an integer from 1 to ${max}, got ${String(value)}`, { field, value });
  }
  return value;
}

function pick<T extends string>(field: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new NotebookOptionsError(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { field, value });
  }
  return value as T;
}

/** Which pretrained sources each recipe (and faster-rcnn backbone) can load, best first. */
function pretrainedSources(recipe: RecipeName, backbone: (typeof RCNN_BACKBONES)[number]): readonly PretrainedSource[] {
  if (recipe === 'pcb-detector') return ['none'];
  if (recipe === 'classifier') return ['imagenet', 'none'];
  if (recipe === 'ultralytics') return ['coco', 'none']; // the Ultralytics checkpoints are COCO-trained
  if (backbone === 'tiny') return ['none'];
  if (backbone === 'resnet18_fpn') return ['imagenet', 'none'];
  return ['coco', 'imagenet', 'none'];
}

function resolvePretrained(recipe: RecipeName, backbone: (typeof RCNN_BACKBONES)[number], value: boolean | PretrainedSource | undefined): PretrainedSource {
  const allowed = pretrainedSources(recipe, backbone);
  if (value === undefined || value === true) return allowed[0]!;
  if (value === false) return 'none';
  if (!allowed.includes(value)) {
    const what = recipe === 'faster-rcnn' ? `faster-rcnn/${backbone}` : recipe;
    throw new NotebookOptionsError(`pretrained must be one of ${allowed.join(', ')} for ${what}, got ${JSON.stringify(value)}`, { field: 'pretrained', value });
  }
  return value;
}

/**
 * Default object names, one set per project (keyed by the model name), so two projects never share a database,
 * pool, role or integration and tearing one down leaves the others alone.
 */
export function defaultSnowflakeNames(name: string, instanceFamily: string): SnowflakeNames {
  const token = name.replace(/-/g, '_').toUpperCase();
  return {
    database: `DEFECTKIT_${token}`,
    schema: 'TRAINING',
    stage: 'DEFECTKIT_STAGE',
    warehouse: `DEFECTKIT_${token}_WH`,
    computePool: `DEFECTKIT_${token}_POOL`,
    instanceFamily,
    role: `DEFECTKIT_${token}_TRAINER`,
    networkRule: `DEFECTKIT_${token}_EGRESS`,
    integration: `DEFECTKIT_${token}_ACCESS`,
    notebook: `${token}_TRAINING`,
  };
}

/**
 * Applies the recipe's defaults and validates every option, throwing {@link NotebookOptionsError}
 * (code `NOTEBOOK_OPTIONS`, `details.field` naming the option) on the first bad one.
 */
export function resolveOptions(options: EmitOptions): ResolvedOptions {
  const recipe = pick('recipe', options.recipe, RECIPE_NAMES, 'pcb-detector');
  const d = DEFAULTS[recipe];
  const name = options.name ?? d.name;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
    throw new NotebookOptionsError(`name must be lower-case letters, digits and dashes, got ${JSON.stringify(name)}`, { field: 'name', value: name });
  }
  const gpus = positiveInt('gpus', options.gpus, 1, 8);
  const imgsz = positiveInt('imgsz', options.imgsz, d.imgsz, 4096);
  if (recipe !== 'classifier' && imgsz % 32 !== 0) {
    throw new NotebookOptionsError(`imgsz must be a multiple of 32 for detectors, got ${imgsz}`, { field: 'imgsz', value: imgsz });
  }
  const classes = options.classes ?? d.classes;
  if (classes.length < 1 || (recipe === 'classifier' && classes.length < 2)) {
    throw new NotebookOptionsError(`classes needs at least ${recipe === 'classifier' ? 2 : 1} name(s)`, { field: 'classes', value: classes });
  }
  classes.forEach((c, i) => {
    if (!CLASS_NAME.test(c) || c !== c.trim()) {
      throw new NotebookOptionsError(`classes[${i}] ${JSON.stringify(c)} is empty or has a comma, quote or backslash`, { field: `classes[${i}]`, value: c });
    }
  });
  if (new Set(classes).size !== classes.length) {
    throw new NotebookOptionsError('classes has duplicate names', { field: 'classes', value: classes });
  }
  const cloud = pick('cloud', options.cloud, CLOUDS, 'aws');
  // An explicit instance family skips the GPU-count check: the caller knows the account.
  const family = options.snowflake?.instanceFamily ?? gpuInstanceFamily(cloud, gpus).name;
  const sf: SnowflakeNames = { ...defaultSnowflakeNames(name, family), ...options.snowflake };
  for (const [k, v] of Object.entries(sf)) {
    if (!IDENT.test(v)) {
      throw new NotebookOptionsError(`snowflake.${k} must be a plain identifier, got ${JSON.stringify(v)}`, { field: `snowflake.${k}`, value: v });
    }
  }
  const dataset = options.dataset ?? `@${sf.database}.${sf.schema}.${sf.stage}/datasets/${name}`;
  if (dataset.trim() === '' || /['"\n\\]/.test(dataset)) {
    throw new NotebookOptionsError(`dataset must be a stage path or folder without quotes, backslashes or newlines, got ${JSON.stringify(dataset)}`, { field: 'dataset', value: dataset });
  }
  const weights = options.weights ?? 'yolo11s.pt'; // small, not nano: PCB defects are a few pixels wide
  if (!ULTRALYTICS_WEIGHTS.test(weights)) {
    throw new NotebookOptionsError(`weights must name a YOLOv8, YOLO11 or YOLO12 checkpoint like yolo11n.pt, got ${JSON.stringify(weights)}`, { field: 'weights', value: weights });
  }
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) {
    throw new NotebookOptionsError(`channels must be 1 or 3, got ${String(channels)}`, { field: 'channels', value: channels });
  }
  const backbone = pick('backbone', options.backbone, RCNN_BACKBONES, 'tiny');
  return {
    recipe,
    name,
    dataset,
    epochs: positiveInt('epochs', options.epochs, d.epochs, 100_000),
    imgsz,
    classes: [...classes],
    gpus,
    channels,
    backbone,
    weights,
    arch: pick('arch', options.arch, CLASSIFIER_ARCHS, 'resnet18'),
    cloud,
    pretrained: resolvePretrained(recipe, backbone, options.pretrained),
    snowflake: sf,
  };
}

/** The stage folder the trained model and card are uploaded to. */
export function stageOut(o: ResolvedOptions): string {
  return `@${o.snowflake.database}.${o.snowflake.schema}.${o.snowflake.stage}/models/${o.name}`;
}

/** The Model Registry name: the model name in upper snake case. */
export function registryModelName(o: ResolvedOptions): string {
  return o.name.replace(/-/g, '_').toUpperCase();
}
