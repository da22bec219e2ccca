import { parseUltralyticsMetadata, type UltralyticsMetadata } from '@defectkit/postprocess';
import type { Backend } from './backend.js';
import { BackendError } from './errors.js';
import type { ImagePreprocessor } from './image-preprocessor.js';
import { LocalDetector, type LocalDetectorOptions } from './local-detector.js';
import type { ModelCard } from './model-card.js';
import { resolveModelSpec, type ModelSpecOverrides } from './model-spec.js';

/** What {@link detectorFromBackend} needs besides the loaded backend. */
export interface DetectorFromBackendOptions<TImage> {
  /** The parsed `model.json`, when the model has one (it wins over the ONNX metadata). */
  card: ModelCard | undefined;
  preprocessor: ImagePreprocessor<TImage>;
  /** Overrides of the card / metadata (class names, input, layout, thresholds). */
  spec?: ModelSpecOverrides | undefined;
  /** The detector's default thresholds, verdict rule and reference alignment. */
  detect?: LocalDetectorOptions | undefined;
}

/**
 * The {@link LocalDetector} for a backend that has just loaded a model: the model spec is resolved from the overrides,
 * then the card, then the model's Ultralytics metadata (unreadable metadata is an error only when there is no card).
 * Every loader (Node, browser) builds its detector here; on any failure the backend is disposed before the error
 * is rethrown, so a caller never holds a loaded model it cannot reach.
 *
 * @example
 * const info = await backend.load(onnx, { device: 'cpu' });
 * const detector = await detectorFromBackend(backend, { card, preprocessor, detect: { conf: 0.3 } });
 */
export async function detectorFromBackend<TImage>(backend: Backend, options: DetectorFromBackendOptions<TImage>): Promise<LocalDetector<TImage>> {
  try {
    const info = backend.info;
    if (!info) throw new BackendError('BACKEND_NOT_LOADED', 'detectorFromBackend() called before backend.load()', {});
    const { card } = options;
    let metadata: UltralyticsMetadata | undefined;
    try {
      metadata = parseUltralyticsMetadata(info.metadata);
    } catch (error) {
      if (!card) throw error;
      // The card is authoritative; unreadable Ultralytics metadata is then irrelevant.
    }
    const spec = resolveModelSpec({ info, card, metadata, overrides: options.spec });
    return new LocalDetector(backend, options.preprocessor, spec, options.detect ?? {});
  } catch (error) {
    await backend.dispose();
    throw error;
  }
}
