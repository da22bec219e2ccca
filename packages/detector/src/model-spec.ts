import { inferOutputLayout, OUTPUT_LAYOUT_RULES, outputShapeProblem, type UltralyticsMetadata, type VerdictRule } from '@defectkit/postprocess';
import type { BackendInfo, BackendValueInfo } from './backend.js';
import { ModelSpecError } from './errors.js';
import type { ModelCard, ModelInputSpec, ModelThresholds, OutputLayout } from './model-card.js';

/** The Ultralytics metadata keys the spec resolution reads (from `parseUltralyticsMetadata` in `@defectkit/postprocess`). */
export type SpecMetadata = Pick<UltralyticsMetadata, 'names' | 'imgsz' | 'stride' | 'task' | 'channels' | 'end2end'>;

/** Explicit choices that override the model card and the ONNX metadata. */
export interface ModelSpecOverrides {
  classes?: string[];
  conf?: number;
  iou?: number;
  maxDet?: number;
  layout?: OutputLayout;
  input?: Partial<ModelInputSpec>;
}

/** Everything the detector needs to run one model, resolved from options > card > metadata. */
export interface ModelSpec {
  name: string;
  task: 'detect' | 'classify';
  classes: string[];
  input: ModelInputSpec;
  layout: OutputLayout;
  /** The output names the decoder reads, in the layout's positional order. */
  outputNames: string[];
  thresholds: ModelThresholds;
  /** The verdict rule: the card's `verdict`, else every class at `thresholds.conf` (any kept detection fails). */
  verdict: VerdictRule;
  /** True when the input has a batch axis whose size is not fixed (a real batch can run in one call). */
  dynamicBatch: boolean;
  /** Where the class names came from. */
  source: 'options' | 'card' | 'metadata';
}

/** Channels of the network input tensor: the image's, doubled when the reference is stacked after them. */
export function tensorChannels(input: Pick<ModelInputSpec, 'channels' | 'reference'>): number {
  return input.reference === 'stacked' ? input.channels * 2 : input.channels;
}

function isStatic(dim: number | string | null | undefined): dim is number {
  return typeof dim === 'number' && dim > 0;
}

/** Infers the layout from the declared outputs (the rules of `@defectkit/postprocess`) when neither options nor a card say it. */
function inferLayout(outputs: readonly BackendValueInfo[], classCount: number, end2end: boolean | undefined): OutputLayout {
  const found = inferOutputLayout(
    outputs.map((o) => ({ dims: o.shape, integer: /int/.test(String(o.type)) })),
    { numClasses: classCount, ...(end2end === undefined ? {} : { end2end }) },
  );
  if (found) return found;
  const output = outputs[0];
  const shape = output?.shape ?? [];
  throw new ModelSpecError(
    'MODEL_OUTPUT_SHAPE',
    `cannot tell the output layout of "${output?.name ?? '(none)'}" with shape [${shape.join(', ')}] for ${classCount} classes; give output.layout in model.json`,
    { output: output?.name, shape, classes: classCount },
  );
}

/**
 * Resolves the model spec: explicit `overrides` win over the `card`, which wins over Ultralytics
 * `metadata` (used when no card exists). Throws `MODEL_SPEC_MISSING` when no source names the classes
 * or the input size, and validates the result against the loaded model ({@link checkSpecAgainstModel}).
 *
 * @example
 * const spec = resolveModelSpec({ info: backend.info!, card, overrides: { conf: 0.4 } });
 */
export function resolveModelSpec(args: {
  info: BackendInfo;
  card?: ModelCard | undefined;
  metadata?: SpecMetadata | undefined;
  overrides?: ModelSpecOverrides | undefined;
}): ModelSpec {
  const { info, card, metadata = {}, overrides = {} } = args;
  const firstInput = info.inputs[0];
  const classes = overrides.classes ?? card?.classes ?? metadata.names;
  if (!classes || classes.length === 0)
    throw new ModelSpecError('MODEL_SPEC_MISSING', 'no class names: the model has no model.json card, no Ultralytics "names" metadata and none were given', { field: 'classes' });
  const source = overrides.classes ? 'options' : card ? 'card' : 'metadata';

  let input: ModelInputSpec;
  if (card) {
    input = { ...card.input, ...overrides.input };
  } else {
    const shape = firstInput?.shape ?? [];
    const [h, w] = metadata.imgsz ?? [shape[2], shape[3]];
    const height = overrides.input?.height ?? h;
    const width = overrides.input?.width ?? w;
    if (!isStatic(height) || !isStatic(width))
      throw new ModelSpecError('MODEL_SPEC_MISSING', 'no input size: the model has no card, no "imgsz" metadata and a dynamic input shape', { field: 'input.width/height' });
    const channels = metadata.channels ?? (isStatic(shape[1]) ? shape[1] : 3);
    input = {
      name: firstInput?.name ?? 'images',
      width,
      height,
      channels: channels === 1 ? 1 : 3,
      resize: 'letterbox',
      batchAxis: true,
      stride: metadata.stride ?? 32,
      padValue: 114,
      scale: 1 / 255,
      mean: null,
      std: null,
      ...overrides.input,
    };
  }

  const layout = overrides.layout ?? card?.output.layout ?? inferLayout(info.outputs, classes.length, metadata.end2end);
  const thresholds: ModelThresholds = {
    conf: overrides.conf ?? card?.thresholds.conf ?? 0.25,
    iou: overrides.iou ?? card?.thresholds.iou ?? 0.7,
    maxDet: overrides.maxDet ?? card?.thresholds.maxDet ?? 300,
  };
  const modelInput = info.inputs.find((i) => i.name === input.name);
  const spec: ModelSpec = {
    name: card?.name ?? 'model',
    task: card?.task ?? (layout === 'classifier' ? 'classify' : 'detect'),
    classes,
    input,
    layout,
    outputNames: info.outputs.map((o) => o.name),
    thresholds,
    verdict: card?.verdict ?? { conf: thresholds.conf, classConf: {} },
    dynamicBatch: input.batchAxis && !!modelInput && !isStatic(modelInput.shape[0]),
    source,
  };
  checkSpecAgainstModel(spec, info);
  return spec;
}

/**
 * Checks that the model's declared inputs and outputs fit the spec (static dimensions only; dynamic
 * ones are checked again on the real outputs by {@link checkOutputDims}). Throws `MODEL_INPUT_SHAPE`,
 * `MODEL_OUTPUT_SHAPE` or `MODEL_CLASS_COUNT`.
 */
export function checkSpecAgainstModel(spec: ModelSpec, info: BackendInfo): void {
  const input = info.inputs.find((i) => i.name === spec.input.name);
  if (!input)
    throw new ModelSpecError('MODEL_INPUT_SHAPE', `the model has no input "${spec.input.name}" (it has ${info.inputs.map((i) => `"${i.name}"`).join(', ')})`, {
      field: 'input.name',
      expected: spec.input.name,
      actual: info.inputs.map((i) => i.name),
    });
  const rank = spec.input.batchAxis ? 4 : 3;
  const c = rank - 3;
  const problems: string[] = [];
  // A reference model takes the image's channels followed by the reference's.
  const channels = tensorChannels(spec.input);
  if (input.shape.length !== rank) problems.push(`rank ${input.shape.length}, expected ${rank}`);
  else {
    if (isStatic(input.shape[c]) && input.shape[c] !== channels)
      problems.push(`${input.shape[c]} channels, the spec says ${channels}${spec.input.reference ? ` (${spec.input.channels} of the image, then ${spec.input.channels} of its reference)` : ''}`);
    if (spec.input.resize === 'letterbox') {
      if (isStatic(input.shape[c + 1]) && input.shape[c + 1] !== spec.input.height) problems.push(`height ${input.shape[c + 1]}, the spec says ${spec.input.height}`);
      if (isStatic(input.shape[c + 2]) && input.shape[c + 2] !== spec.input.width) problems.push(`width ${input.shape[c + 2]}, the spec says ${spec.input.width}`);
    }
  }
  if (problems.length > 0)
    throw new ModelSpecError('MODEL_INPUT_SHAPE', `model input "${input.name}" [${input.shape.join(', ')}] does not fit: ${problems.join('; ')}`, {
      field: 'input',
      shape: input.shape,
    });
  const outputs = info.outputs.map((o) => o.shape);
  checkOutputDims(spec, outputs, info.outputs.map((o) => o.name));
}

/**
 * Checks output shapes (declared, or real ones after a run) against the layout and class count.
 * Dimensions that are not positive numbers are treated as dynamic and accepted.
 */
export function checkOutputDims(spec: ModelSpec, shapes: ReadonlyArray<ReadonlyArray<number | string | null>>, names: readonly string[] = spec.outputNames): void {
  const nc = spec.classes.length;
  const shape = shapes[0] ?? [];
  const name = names[0] ?? '(none)';
  const bad = (why: string): never => {
    throw new ModelSpecError('MODEL_OUTPUT_SHAPE', `model output "${name}" [${shape.join(', ')}] does not fit layout ${spec.layout}: ${why}`, {
      output: name,
      shape,
      layout: spec.layout,
    });
  };
  const classMismatch = (modelClasses: number): never => {
    throw new ModelSpecError(
      'MODEL_CLASS_COUNT',
      `model output "${name}" [${shape.join(', ')}] has ${modelClasses} classes but the ${spec.source === 'card' ? 'model card' : spec.source} lists ${nc}`,
      { output: name, shape, modelClasses, specClasses: nc, source: spec.source },
    );
  };
  const rule = OUTPUT_LAYOUT_RULES[spec.layout];
  const found = outputShapeProblem(spec.layout, shapes, rule.shape?.extra === null || rule.family === 'torchvision' ? undefined : nc);
  if (found?.modelClasses !== undefined) classMismatch(found.modelClasses);
  if (found) bad(`${found.problem} (expected ${rule.expected})`);
}
