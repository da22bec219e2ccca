import type { Detector } from '@defectkit/detector';

/** Metric values stored with a model version: numbers, text or nested JSON (e.g. per-class AP). */
export type Metrics = Record<string, unknown>;

/** Options of {@link Registry.logModel}. */
export interface LogModelOptions {
  /** The model name (an identifier; stored upper case). */
  name: string;
  /** The version name (an identifier); `V<n+1>` after the highest `V<n>` when omitted. */
  version?: string;
  /** A free-text comment on the version. */
  comment?: string;
  /** Metrics to store with the version; the model card's `metrics` when omitted. */
  metrics?: Metrics;
  /** Class names; must have as many entries as the model card's `classes`. */
  classes?: string[];
}

/** What a registry knows about one model version. */
export interface VersionInfo {
  /** The model name. */
  model: string;
  /** The version name. */
  name: string;
  /** ISO time the version was logged. */
  createdOn: string;
  /** The version comment, or null. */
  comment: string | null;
  /** Aliases pointing at this version. */
  aliases: string[];
  /** Whether this is the model's default version. */
  isDefault: boolean;
  /** Stored metrics. */
  metrics: Metrics;
  /** The class names of the model. */
  classes: string[];
}

/** What a registry knows about one model. */
export interface ModelInfo {
  /** The model name. */
  name: string;
  /** The version names, oldest first. */
  versions: string[];
  /** The default version name, or null when the model has none. */
  default: string | null;
}

/** Options forwarded to the `Detector` a version creates (thresholds, device, backend choice). */
export type VersionDetectorOptions = Record<string, unknown>;

/** An image as the Node detectors take it: a file path or the encoded bytes. */
export type RegistryImageInput = string | Uint8Array;

/**
 * What `version.detector()` returns: the one `Detector` contract of `@defectkit/detector`, run locally
 * (onnxruntime-node) or remotely (the Snowflake warehouse); calling code does not change with the backend.
 */
export type RegistryDetector = Detector<RegistryImageInput>;

/** One version of a registered model. */
export interface RegistryModelVersion {
  /** The model name. */
  readonly modelName: string;
  /** The version name. */
  readonly name: string;
  /** Re-reads the version's description. */
  info(): Promise<VersionInfo>;
  /** The stored metrics. */
  metrics(): Promise<Metrics>;
  /** Sets (or replaces) one metric. */
  setMetric(name: string, value: unknown): Promise<void>;
  /** Points an alias at this version (moving it from another version of the same model). */
  setAlias(alias: string): Promise<void>;
  /** Removes an alias from this version. */
  unsetAlias(alias: string): Promise<void>;
  /** Reads the comment, or sets it when `text` is given. */
  comment(text?: string): Promise<string | null>;
  /** Writes the version's files (`model.onnx`, `model.json`) into `dir`, which must be empty or absent; returns the paths written. */
  export(dir: string): Promise<string[]>;
  /** A `Detector` for this version (local files, or remote inference for a Snowflake registry unless options say otherwise). */
  detector(options?: VersionDetectorOptions): Promise<RegistryDetector>;
}

/** One registered model. */
export interface RegistryModel {
  /** The model name. */
  readonly name: string;
  /** Its description: versions and default. */
  info(): Promise<ModelInfo>;
  /** The versions, oldest first. */
  versions(): Promise<VersionInfo[]>;
  /** A version by name or alias (`DEFAULT`, `FIRST` and `LAST` are built-in aliases); throws `REGISTRY_VERSION_NOT_FOUND`. */
  version(nameOrAlias: string): Promise<RegistryModelVersion>;
  /** The default version; throws `REGISTRY_VERSION_NOT_FOUND` when there is none. */
  default(): Promise<RegistryModelVersion>;
  /** Makes `version` the default. */
  setDefault(version: string): Promise<void>;
  /** Deletes one version, or the whole model when no version is given. */
  delete(version?: string): Promise<void>;
}

/**
 * One registry API, two implementations: {@link LocalRegistry} (a folder; the default) and
 * {@link SnowflakeRegistry} (the Snowflake Model Registry through snowflake-sdk).
 */
export interface Registry {
  /** `local` or `snowflake`. */
  readonly kind: 'local' | 'snowflake';
  /** Logs a model folder (`model.onnx` + `model.json`) as a new version and returns it. */
  logModel(source: string, options: LogModelOptions): Promise<RegistryModelVersion>;
  /** Every model with its versions and default. */
  models(): Promise<ModelInfo[]>;
  /** A model by name; throws `REGISTRY_MODEL_NOT_FOUND`. */
  model(name: string): Promise<RegistryModel>;
  /** Releases connections. */
  close(): Promise<void>;
}
