/**
 * Every error code DefectKit throws, with a one-line meaning. This is the only list: `DefectKitError`
 * and its subclasses accept only these codes (checked by the type checker), so programs can switch on
 * `error.code` knowing the full set. Add a code here (alphabetical within its family) before throwing it.
 */
export const ERROR_CODES = {
  // Datasets and annotations (@defectkit/annotations)
  ANNOTATION_PARSE: 'a label, list or annotation file could not be parsed (details name the file and line)',
  DATASET_LAYOUT: 'a dataset folder does not have the layout of its format (e.g. no data.yaml in a YOLO folder)',
  DATASET_VALIDATION: 'a dataset failed validation; details.findings lists every problem with its file and line',
  MIXED_SPLITS: 'some images of a dataset have a split and some do not',
  SPLIT_SPEC: 'a split specification such as train=0.9,val=0.1 is malformed',
  UNKNOWN_CLASS: 'a class name is not one the target format or model knows',
  UNKNOWN_FORMAT: 'a dataset format name is not one of the supported formats',

  // Arguments and options (any package)
  EMPTY_SPLIT: 'the requested split of a dataset has no image',
  INVALID_NUMBER: 'a value that must be a finite number (or integer) is not',
  INVALID_OPTION: 'an option has a value outside its allowed set or range',
  INVALID_SIZE: 'a size or count is negative, fractional or otherwise unusable',
  MISSING_OPTION: 'a required option or input was not given',
  UNKNOWN_ACTIVATION: 'a classifier activation is not softmax, sigmoid or none',
  UNKNOWN_LAYOUT: 'an output layout name is not one of the known layouts',
  UNKNOWN_METHOD: 'a method name (e.g. the Soft-NMS method) is not one of the known methods',
  UNKNOWN_PROTOCOL: 'an evaluation protocol name is not one of the known protocols',
  UNSUPPORTED_INPUT: 'an input of a kind this operation does not accept',

  // Outputs (any package)
  OUTPUT_EXISTS: 'an output folder is not empty and overwriting was not asked for; nothing was written',
  OUTPUT_OVERLAPS_INPUT: 'an output is, contains or lies inside an input (details name both paths); nothing was written',

  // Files and folders (any package; details name the file, the operation and the system errno)
  DISK_FULL: 'the disk (or the quota) is full',
  FILE_ACCESS_DENIED: 'the operating system refused access to a file or folder',
  FILE_BUSY: 'a file or folder is in use or locked by the operating system',
  FILE_EXISTS: 'a file or folder exists where a new one was to be created',
  FILE_IO: 'a file or folder could not be read or written for another operating-system reason',
  FILE_NOT_FOUND: 'a file or folder does not exist',
  IMAGE_LIST_ENTRY: 'a line of an image list names a file that does not exist or is not a file (names the list and line)',
  IS_A_FOLDER: 'a folder is where a file was expected',
  NOT_A_FOLDER: 'a file is where a folder was expected (e.g. as a parent in a path)',
  PATH_TOO_LONG: 'a path or file name is longer than the file system allows',
  READ_ONLY_FILE_SYSTEM: 'a write was attempted on a read-only file system',
  SYMLINK_LOOP: 'a path runs through a loop of symbolic links',
  TOO_MANY_OPEN_FILES: 'the process or system limit of open files was reached',

  // Local HTTP servers (snowflake-local, defectkit serve): refused before any work is done
  HTTP_BAD_BODY: 'a request body is not the JSON (or gzip-compressed JSON) the endpoint expects',
  HTTP_BODY_TOO_LARGE: 'a request body, raw or inflated, is over the server limit (details name the limit)',
  HTTP_CROSS_ORIGIN: 'a request came from a web page of another origin (Origin, Sec-Fetch-Site or a form content type)',
  HTTP_HOST_REFUSED: 'a request named a Host other than the loopback address and port the server listens on',
  HTTP_METHOD_NOT_ALLOWED: 'a request used an HTTP method the path does not answer (e.g. POST to a page of defectkit serve)',
  HTTP_NOT_FOUND: 'a request asked for a path the server does not serve (it serves only its own files, never a path built from the request)',

  // Inspection log (@defectkit/inspection)
  INSPECTION_INPUT: 'a detect results file (or a board record) to log is malformed (details name the file, entry and field)',
  INSPECTION_NOT_LOGGED: 'results were written but not logged to the inspection store (details say which boards and why)',
  INSPECTION_REVIEW: 'a review names a defect or board the inspection log does not hold, or an unknown verdict',
  INSPECTION_STORE: 'the inspection store could not be opened, set up or queried (details name the store and statement)',

  // Internal failures (any package)
  INTERNAL: 'an unexpected internal failure (a bug: please report it with the message)',

  // Post-processing and metrics (@defectkit/postprocess)
  EVAL_INPUT: 'evaluation inputs cannot be evaluated together (unknown image, bad box, ...)',
  LETTERBOX_COUNT_MISMATCH: 'the number of letterbox placements differs from the number of images in a batch',
  NMS_LENGTH_MISMATCH: 'NMS inputs (boxes, scores, classes) have different lengths',
  ONNX_PROTOBUF_PARSE: 'bytes are not a readable ONNX protobuf',
  OUTPUT_LAYOUT_UNKNOWN: 'a model output tensor fits no known output layout',
  OUTPUT_SHAPE_MISMATCH: 'a model output tensor does not have the shape of the layout asked for',
  PYTHON_LITERAL_PARSE: 'an ONNX metadata value is not a Python literal',

  // Models and detectors (@defectkit/detector, @defectkit/backend-node, @defectkit/backend-web)
  BACKEND_BATCH_SHAPE: 'the images of one backend batch do not share one input shape',
  BACKEND_NOT_LOADED: 'a backend was run before a model was loaded or after it was disposed',
  BACKEND_RUN: 'the inference runtime failed to run the model',
  CUDA_UNAVAILABLE: 'the CUDA device was asked for but cannot run (names the missing piece)',
  DETECTION_FAILED: 'detection of one image failed for a reason without a more specific code',
  DETECTOR_DISPOSED: 'a detector was used after dispose()',
  IMAGE_DECODE: 'an image is corrupt, truncated, empty, not an image or of an unsupported format',
  IMAGE_NOT_FOUND: 'an image file does not exist',
  IMAGE_TOO_LARGE: 'an image has more pixels than the allowed limit',
  MODEL_CARD_INVALID: 'a model card (model.json) is not valid JSON or breaks its schema (names the file and field)',
  MODEL_CLASS_COUNT: 'the model outputs a different number of classes than its card lists',
  MODEL_INPUT_SHAPE: 'the model input does not have the shape its spec says',
  MODEL_LOAD: 'the model file exists but cannot be loaded',
  MODEL_NOT_FOUND: 'the model file or folder does not exist',
  MODEL_OUTPUT_SHAPE: 'the model outputs do not have the shape its spec says',
  MODEL_SPEC_MISSING: 'no source (card, metadata, options) says how to run the model',
  ONNXRUNTIME_NOT_INSTALLED: "onnxruntime-node or its native binding for this platform is missing (says how to install it)",
  REFERENCE_MISSING: 'a model that compares each image with a golden reference got an image without one, or the reference file is missing (names the image)',
  REFERENCE_SIZE: 'an image and its golden reference differ in size (names both)',
  REFERENCE_UNSUPPORTED: 'a golden reference was given to a detector whose model takes the image alone (names the image)',
  WEBGPU_UNAVAILABLE: 'the WebGPU device was asked for but cannot run here (names why: no navigator.gpu, no adapter, or not a browser)',

  // Notebooks (@defectkit/notebooks)
  DEPLOY_FAILED: 'a deploy or clean statement failed on the account; what ran is saved so clean can undo it (names the step and object)',
  DEPLOY_STATE: 'the record of what a deploy created is unreadable or belongs to another project (names the file and field)',
  HANDLER_FAILED: 'a model handler (Python) failed, timed out or answered rows that are not objects (names the model version)',
  HANDLER_RUNTIME_MISSING: 'the Python that runs model handlers is missing: python3.11, the wheel folder or a wheel (names which)',
  NOTEBOOK_OPTIONS: 'a notebook recipe option is missing, malformed or out of range',
  NOTEBOOK_OUTPUT_EXISTS: 'a notebook output folder exists and is not empty, and overwriting was not asked for',
  NOTEBOOK_TEMPLATE: 'a notebook template failed to render (an internal invariant; names the template and line)',

  // Registries (@defectkit/registry)
  REGISTRY_COMMENT: 'a comment or description cannot be quoted safely for SQL',
  REGISTRY_DEFAULT_VERSION: 'the default version of a model cannot be removed or set as asked',
  REGISTRY_EXPORT_TARGET: 'a registry export target folder is not empty',
  REGISTRY_IDENTIFIER: 'a model name, version, alias or database object name is not a valid identifier',
  REGISTRY_INTEGRITY: 'a stored file does not match the content hash recorded when it was logged',
  REGISTRY_LOCKED: 'another process held the registry lock for too long',
  REGISTRY_METADATA: 'the registry metadata file is unreadable',
  REGISTRY_METRIC: 'a metric value cannot be stored (not JSON)',
  REGISTRY_MODEL_NOT_FOUND: 'no model of that name is registered',
  REGISTRY_MODEL_SOURCE: 'a folder given to logModel is not a usable model folder',
  REGISTRY_SPEC: 'a registry specification is not local, snowflake or snowflake:<connection>',
  REGISTRY_VERSION_EXISTS: 'logModel with a version that is already registered',
  REGISTRY_VERSION_NOT_FOUND: 'no version (or alias) of that name is registered for the model',

  // Snowflake (@defectkit/snowflake, @defectkit/registry, snowflake-local)
  SNOWFLAKE_AUTH: 'the Snowflake server refused the credentials',
  SNOWFLAKE_CONFIG: 'the Snowflake connection settings are incomplete or unreadable (names the file, key or variable)',
  SNOWFLAKE_CONNECT: 'the Snowflake server could not be reached',
  SNOWFLAKE_CORTEX_ANALYST: 'the Cortex Analyst REST API refused a request or answered outside its documented shape (names the field)',
  SNOWFLAKE_IDENTIFIER: 'a database object name or stage location cannot be used in SQL (names the field)',
  SNOWFLAKE_LOCAL_CONFIG: 'snowflake-local could not start or was given a bad option',
  SNOWFLAKE_PACKAGE_REJECTED: 'the Snowflake server refused the registry package of a model version',
  SNOWFLAKE_PREDICT_OUTPUT: 'a remote PREDICT answered rows that are not the detection contract',
  SNOWFLAKE_SQL: 'a Snowflake statement failed (details carry sqlCode, sqlState and queryId)',
  SNOWFLAKE_TARGET: 'a Snowflake target is not snowflake or snowflake:<connection>',
  SNOWFLAKE_UPLOAD: 'a file transfer to a Snowflake stage failed part-way',
} as const satisfies Record<string, string>;

/** One of the codes of {@link ERROR_CODES}: the only values `DefectKitError.code` can take. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is a code of the catalog (for codes that arrive as data, e.g. from JSON). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
