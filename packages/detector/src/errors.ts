import { DefectKitError } from '@defectkit/core';

/** The model card (`model.json`) is not valid JSON or breaks the `defectkit.model-card/v1` contract. Code `MODEL_CARD_INVALID`. */
export class ModelCardError extends DefectKitError<'MODEL_CARD_INVALID'> {}

/**
 * The model cannot be used as described: no spec source says what it needs, the model's inputs or
 * outputs do not match the spec (unexpected output shape, class count differs from the card).
 * Codes `MODEL_SPEC_MISSING`, `MODEL_OUTPUT_SHAPE`, `MODEL_CLASS_COUNT` and `MODEL_INPUT_SHAPE`.
 */
export class ModelSpecError extends DefectKitError<'MODEL_SPEC_MISSING' | 'MODEL_OUTPUT_SHAPE' | 'MODEL_CLASS_COUNT' | 'MODEL_INPUT_SHAPE'> {}

/**
 * An image and its golden reference do not go together: a reference model got no reference (`REFERENCE_MISSING`),
 * a single-image model got one (`REFERENCE_UNSUPPORTED`), or the two differ in size (`REFERENCE_SIZE`).
 * Details name the image (`file`) and the reference.
 */
export class ImageReferenceError extends DefectKitError<'REFERENCE_MISSING' | 'REFERENCE_UNSUPPORTED' | 'REFERENCE_SIZE'> {}

/** A backend failed or was used wrongly: run before load or after dispose, a failed run, a batch of mixed input sizes. */
export class BackendError extends DefectKitError<'BACKEND_NOT_LOADED' | 'BACKEND_RUN' | 'BACKEND_BATCH_SHAPE'> {}
