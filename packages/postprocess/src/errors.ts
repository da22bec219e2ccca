import { DefectKitError, type ErrorDetails } from '@defectkit/core';

export { InvalidArgumentError } from '@defectkit/core';

/**
 * A model output tensor whose shape fits no known layout, or not the layout asked for.
 * Code `OUTPUT_SHAPE_MISMATCH` (shape does not fit the named layout) or `OUTPUT_LAYOUT_UNKNOWN`
 * (no layout fits); `details` carries the expected and the actual shapes.
 */
export class OutputShapeError extends DefectKitError {
  constructor(code: 'OUTPUT_SHAPE_MISMATCH' | 'OUTPUT_LAYOUT_UNKNOWN', message: string, details: ErrorDetails) {
    super(code, message, details);
  }
}

/**
 * Bytes that are not a readable ONNX protobuf (`ONNX_PROTOBUF_PARSE`) or a metadata value that is not a
 * Python literal (`PYTHON_LITERAL_PARSE`); `details` names the offset or the metadata key.
 */
export class MetadataParseError extends DefectKitError {
  constructor(code: 'ONNX_PROTOBUF_PARSE' | 'PYTHON_LITERAL_PARSE', message: string, details: ErrorDetails) {
    super(code, message, details);
  }
}

/** Evaluation inputs that cannot be evaluated together (code `EVAL_INPUT`): unknown image, bad box, ... */
export class EvaluationInputError extends DefectKitError {
  constructor(message: string, details: ErrorDetails) {
    super('EVAL_INPUT', message, details);
  }
}
