import type { ModelCard, ModelInputSpec } from '../model-card.js';

/** Changes to {@link sampleModelCard}: top-level fields replace the sample's; `input` fields are merged into its input. */
export type SampleModelCardOverrides = Omit<Partial<ModelCard>, 'input'> & { input?: Partial<ModelInputSpec> };

/**
 * A valid `defectkit.model-card/v1` card for tests: a DeepPCB detector (the six DeepPCB classes, 640x640 grayscale,
 * letterbox, Ultralytics `[B, 4 + classes, anchors]` output, default thresholds). The one place tests build a card
 * from; pass what the model under test differs in.
 *
 * @example
 * const card = sampleModelCard({ name: 'synthetic-bcn', input: { width: 320, height: 320, channels: 3, stride: 32 } });
 */
export function sampleModelCard(overrides: SampleModelCardOverrides = {}): ModelCard {
  const { input, ...rest } = overrides;
  const sample: ModelCard = {
    format: 'defectkit.model-card/v1',
    name: 'pcb-defects',
    task: 'detect',
    classes: ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'],
    input: { name: 'images', width: 640, height: 640, channels: 1, resize: 'letterbox', batchAxis: true, stride: 8, padValue: 114, scale: 1 / 255, mean: null, std: null },
    output: { layout: 'ultralytics-bcn' },
    thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
  };
  // Spreading keeps each key where the sample has it, so the card's JSON reads in the usual field order.
  return { ...sample, ...rest, input: { ...sample.input, ...input } };
}
