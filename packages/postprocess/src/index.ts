export { nms, batchedNms } from './nms/nms.js';
export { roundHalfEven } from './geometry/python-round.js';
export {
  letterbox,
  letterboxBox,
  unletterboxBox,
  applyInverse,
  inverseTransform,
  scaleBoxesTransform,
  type Letterbox,
  type BoxPlacement,
  type LetterboxOptions,
  type InverseMode,
  type InverseTransform,
} from './geometry/letterbox.js';
export { rcnnResize, rcnnBoxToOriginal, type RcnnResize } from './geometry/rcnn-transform.js';
export {
  xyxyToXywh,
  xywhToXyxy,
  xyxyToCxcywh,
  cxcywhToXyxy,
  cxcywhToNormalized,
  normalizedToCxcywh,
  xyxyToNormalizedCxcywh,
  normalizedCxcywhToXyxy,
} from './geometry/box-format.js';
export { readOnnxMetadata } from './metadata/onnx-metadata.js';
export { readOnnxGraphIo, type OnnxGraphIo, type OnnxTensorInfo } from './metadata/onnx-graph-io.js';
export { parsePythonLiteral, type PyValue } from './metadata/python-literal.js';
export { parseMetadataValues, parseUltralyticsMetadata, namesToArray, type UltralyticsMetadata } from './metadata/ultralytics-metadata.js';
export { OutputShapeError, MetadataParseError, EvaluationInputError } from './errors.js';
export { decodeYoloImage, decodeYoloResolved, type YoloLayout } from './decode/yolo-decode.js';
export {
  detectLayout,
  validateLayout,
  assertOutputLayout,
  inferOutputLayout,
  layoutsOf,
  outputShapeProblem,
  OUTPUT_LAYOUT_RULES,
  OUTPUT_LAYOUTS,
  type DeclaredDim,
  type OutputDescription,
  type OutputLayout,
  type OutputLayoutRule,
  type OutputShapeProblem,
  type LayoutHints,
} from './decode/output-layout.js';
export { isIntegerTensor, type OutputTensor, type TensorData } from './decode/output-tensor.js';
export {
  ultralyticsNms,
  resolveNmsOptions,
  ULTRALYTICS_NMS_DEFAULTS,
  type UltralyticsNmsOptions,
  type ResolvedNmsOptions,
} from './nms/ultralytics-nms.js';
export { type DetectionRows } from './nms/detection-rows.js';
export { decodeDetections, toDetections, type DecodeOptions } from './decode/decode-detections.js';
export { decodeTorchvision, type TorchvisionDecodeOptions } from './decode/torchvision-decode.js';
export { decodeClassifier, type ClassScore, type ClassifierDecodeOptions } from './decode/classifier-decode.js';
export { softNms, type SoftNmsOptions, type SoftNmsResult } from './nms/soft-nms.js';
export { weightedBoxFusion, type WeightedBoxFusionOptions, type WeightedBoxFusionResult } from './nms/weighted-box-fusion.js';
export { boxIou } from './nms/box-iou.js';
export { boardVerdict, mergeVerdictRule, parseVerdictSpec, verdictThreshold, type Verdict, type VerdictRule } from './board/board-verdict.js';
export { boardMetrics, BOARD_SWEEP, type BoardCounts, type BoardMetricsOptions, type BoardMetricsResult } from './board/board-metrics.js';
export { tileGrid, type Tile } from './tiling/tile-grid.js';
export { mergeTileDetections, overlapMeasure, type TileMergeOptions } from './tiling/merge-tile-detections.js';
export {
  cocoEvaluate,
  type CocoEvalInput,
  type CocoEvalResult,
  type CocoClassResult,
  type CocoGroundTruth,
  type CocoDetection,
  type ImageKey,
} from './metrics/coco-eval.js';
export { cocoEvalInputFromJson } from './metrics/coco-json.js';
export {
  linspace,
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_AREA_RANGES,
  COCO_STATS_LABELS,
} from './metrics/coco-params.js';
export { vocEvaluate, allPointAp, elevenPointAp, type VocClassResult } from './metrics/voc-ap.js';
export { ultralyticsMap, computeAp, type UltralyticsMapResult, type UltralyticsClassResult } from './metrics/ultralytics-map.js';
export {
  deeppcbEvaluate,
  DEEPPCB_IOU_CONSTRAINT,
  type DeepPcbBox,
  type DeepPcbImage,
  type DeepPcbPair,
  type DeepPcbScores,
  type DeepPcbResult,
} from './metrics/deeppcb-protocol.js';
export {
  evalInputFromDataset,
  deeppcbImagesFromDataset,
  deeppcbImagesFromEvalInput,
  imageKeyOf,
  categoryIdOf,
  type PredictedBox,
  type ImagePredictions,
} from './metrics/dataset-input.js';
export {
  thresholdMetrics,
  type ThresholdMetricsOptions,
  type ThresholdMetricsResult,
  type ClassCounts,
} from './metrics/threshold-metrics.js';
export { predictionsFromCocoResults, parseDeepPcbResults } from './metrics/prediction-files.js';
export {
  deepPcbResultName,
  formatCocoResults,
  formatDeepPcbTxt,
  formatJson,
  formatYoloTxt,
  imageStem,
  toJsonRecord,
  type CocoResult,
  type CocoResultOptions,
  type ImageDetections,
} from './metrics/result-formats.js';
export {
  EVAL_PROTOCOLS,
  evaluateDetections,
  formatEvalReport,
  formatFigure,
  parseEvalProtocol,
  type EvalData,
  type EvalProtocol,
  type EvalReport,
  type EvalTableRow,
  type EvaluateOptions,
} from './metrics/evaluate-detections.js';
export { alignResultImageIds } from './metrics/coco-image-ids.js';
