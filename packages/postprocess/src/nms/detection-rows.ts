/** Detections as parallel typed arrays (boxes xyxy), plus the output row/anchor each one came from. */
export interface DetectionRows {
  /** n·4 values x1, y1, x2, y2. */
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  /** The anchor (or output row) index in the raw tensor. */
  sourceIndex: Int32Array;
}

/** Appends rows one at a time, then freezes them into typed arrays. */
export class RowBuilder {
  private readonly boxes: number[] = [];
  private readonly scores: number[] = [];
  private readonly classIds: number[] = [];
  private readonly sources: number[] = [];

  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number, source: number): void {
    this.boxes.push(x1, y1, x2, y2);
    this.scores.push(score);
    this.classIds.push(classId);
    this.sources.push(source);
  }

  build(): DetectionRows {
    return {
      boxes: Float32Array.from(this.boxes),
      scores: Float32Array.from(this.scores),
      classIds: Int32Array.from(this.classIds),
      sourceIndex: Int32Array.from(this.sources),
    };
  }
}

/** The rows at `indices`, in that order. */
export function pickRows(rows: DetectionRows, indices: ArrayLike<number>): DetectionRows {
  const n = indices.length;
  const out: DetectionRows = {
    boxes: new Float32Array(n * 4),
    scores: new Float32Array(n),
    classIds: new Int32Array(n),
    sourceIndex: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    out.boxes.set(rows.boxes.subarray(i * 4, i * 4 + 4), k * 4);
    out.scores[k] = rows.scores[i]!;
    out.classIds[k] = rows.classIds[i]!;
    out.sourceIndex[k] = rows.sourceIndex[i]!;
  }
  return out;
}
