import { NotebookTemplateError } from './errors.js';
import { registryModelName, stageOut, type RecipeName, type ResolvedOptions } from './options.js';

/** Version written into emitted projects (the notebooks package version). */
export const RECIPE_VERSION = '0.1.0';

/**
 * The `CONFIG` dictionary baked into an emitted script: the options the script falls back to when
 * a flag is not given (and all a notebook has, since it has no command line). Key order is fixed,
 * so the same options always emit the same bytes.
 */
export function recipeConfig(o: ResolvedOptions): Record<string, unknown> {
  const head = { recipe: o.recipe, name: o.name, version: RECIPE_VERSION, dataset: o.dataset, out: `runs/${o.name}`, classes: o.classes };
  const tail = { gpus: o.gpus, stageOut: stageOut(o), registryModel: registryModelName(o), inspectionLog: inspectionLogConfig(o) };
  const perRecipe: Record<RecipeName, Record<string, unknown>> = {
    'pcb-detector': { channels: o.channels, imgsz: o.imgsz, crop: Math.min(320, o.imgsz), width: 1, epochs: o.epochs, batch: 16, timeLimitMin: 0 },
    'faster-rcnn': { backbone: o.backbone, pretrained: o.pretrained, imgsz: o.imgsz, crop: Math.min(320, o.imgsz), epochs: o.epochs, batch: 4, timeLimitMin: 0 },
    ultralytics: { weights: o.weights, pretrained: o.pretrained, imgsz: o.imgsz, epochs: o.epochs, batch: 16 },
    classifier: { arch: o.arch, pretrained: o.pretrained, imgsz: o.imgsz, epochs: o.epochs, batch: 32 },
  };
  return { ...head, ...perRecipe[o.recipe], ...tail };
}

/**
 * Where the batch-inference step writes its inspection log (the tables `defectkit snowflake setup` creates) and
 * which stage folder of board images it reads; empty `images` skips the step.
 */
function inspectionLogConfig(o: ResolvedOptions): Record<string, unknown> {
  const s = o.snowflake;
  return { database: s.database, schema: s.schema, images: `@${s.database}.${s.schema}.${s.stage}/inbox/${o.name}`, line: null, shift: null };
}

const PLACEHOLDER = '__DEFECTKIT_CONFIG__';

/**
 * Puts the config into a script template in place of its one `__DEFECTKIT_CONFIG__` placeholder, as
 * a Python string literal read by `json.loads` (JSON string escapes are valid Python escapes).
 */
export function renderScript(template: string, config: Record<string, unknown>, templateName: string): string {
  const at = template.indexOf(PLACEHOLDER);
  if (at < 0 || template.indexOf(PLACEHOLDER, at + 1) >= 0) {
    throw new NotebookTemplateError(`${templateName}: needs exactly one ${PLACEHOLDER} placeholder`, { template: templateName });
  }
  return template.slice(0, at) + JSON.stringify(JSON.stringify(config)) + template.slice(at + PLACEHOLDER.length);
}
