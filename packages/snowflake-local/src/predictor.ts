/** What a model method receives: the version's files, the method, and one argument list per row. */
export interface PredictRequest {
  /** Directory holding the version's package (MANIFEST.yml, model/, functions/…), proven inside the data folder. */
  dir: string;
  /** Method name, e.g. `PREDICT`. */
  method: string;
  /** Declared inputs of the method (from MANIFEST.yml). */
  inputs: { name: string; type: string }[];
  /** Argument values per row (BINARY arrives as Uint8Array, VARCHAR as string…). */
  rows: unknown[][];
}

/** Runs a model method over rows; returns one OBJECT (or null) per row. */
export type Predictor = (request: PredictRequest) => Promise<(Record<string, unknown> | null)[]>;
