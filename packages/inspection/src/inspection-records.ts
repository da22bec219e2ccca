/** A board's outcome, as the detector decided it (its verdict thresholds), else `fail` when it has any call. */
export type BoardVerdict = 'pass' | 'fail';

/** A reviewer's verdict on a defect row: a confirmed call, a false call, or a defect the model missed. */
export type ReviewVerdict = 'true_defect' | 'false_call' | 'missed';

/** The verdicts a reviewer may give to a model call (`missed` rows are added, never given to a call). */
export const CALL_VERDICTS = ['true_defect', 'false_call'] as const;

/** A box as its corners in original-image pixels: `[x1, y1, x2, y2]` (BOUNDING_BOX_COORDINATES). */
export type BoundingBox = [x1: number, y1: number, x2: number, y2: number];

/** One defect call of the model on a board (a DEFECT_LOGS row). */
export interface DefectCall {
  /** The row's id (DEFECT_ID), unique in the log. */
  defectId: string;
  /** DETECTED_CLASS: the class label. */
  detectedClass: string;
  /** CONFIDENCE_SCORE in [0, 1]. */
  confidenceScore: number;
  /** BOUNDING_BOX_COORDINATES. */
  boundingBox: BoundingBox;
}

/** One inspected board (a BOARD_INSPECTIONS row with its DEFECT_LOGS rows and its PCB_METADATA row). */
export interface BoardInspection {
  /** INFERENCE_ID: this inspection's id, unique in the log. */
  inferenceId: string;
  /** BOARD_ID. */
  boardId: string;
  /** IMAGE_PATH: the image as given to the detector. */
  imagePath: string;
  /** TIMESTAMP (UTC). */
  timestamp: Date;
  /** FACTORY_LINE_ID, or null when not given. */
  factoryLineId: string | null;
  /** SHIFT, or null when not given. */
  shift: string | null;
  /** MODEL_NAME. */
  modelName: string;
  /** MODEL_VERSION. */
  modelVersion: string;
  /** IMAGE_WIDTH, IMAGE_HEIGHT in pixels. */
  imageWidth: number;
  imageHeight: number;
  /** INFERENCE_MS: the detector's time for this image, or null when unknown (results made elsewhere). */
  inferenceMs: number | null;
  /** PCB_METADATA.PRODUCT_TYPE, or null. */
  productType: string | null;
  /** PCB_METADATA.MANUFACTURING_DATE as `YYYY-MM-DD`, or null. */
  manufacturingDate: string | null;
  /** VERDICT. */
  verdict: BoardVerdict;
  /** The model's calls (none on a clean board). */
  defects: DefectCall[];
}

/** A reviewer's verdict on one model call. */
export interface CallReview {
  /** The DEFECT_ID of the call. */
  defectId: string;
  /** `true_defect` or `false_call`. */
  verdict: (typeof CALL_VERDICTS)[number];
  /** Who reviewed (REVIEWER), or null. */
  reviewer?: string | null;
  /** When (REVIEWED_AT; default now). */
  at?: Date;
}

/** A defect the model missed, added by a reviewer to an inspection. */
export interface MissedDefect {
  /** The INFERENCE_ID of the inspection. */
  inferenceId: string;
  /** The class of the missed defect. */
  detectedClass: string;
  /** Where it is, or null when not marked. */
  boundingBox: BoundingBox | null;
  /** Who found it (REVIEWER), or null. */
  reviewer?: string | null;
  /** When (REVIEWED_AT; default now). */
  at?: Date;
}

/**
 * A DEFECT_LOGS row as the review page and `defectkit log review` list it, with the columns of its board's
 * inspection (same names and meaning as on {@link BoardInspection}).
 */
export interface DefectRow extends Pick<BoardInspection, 'inferenceId' | 'boardId' | 'imagePath' | 'timestamp' | 'factoryLineId' | 'shift' | 'modelVersion'> {
  defectId: string;
  detectedClass: string;
  /** Null for a missed defect added by a reviewer. */
  confidenceScore: number | null;
  boundingBox: BoundingBox | null;
  /** `model` (a call) or `reviewer` (a missed defect). */
  source: 'model' | 'reviewer';
  reviewVerdict: ReviewVerdict | null;
  reviewer: string | null;
}
