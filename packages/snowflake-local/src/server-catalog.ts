import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@defectkit/core/node';
import { SnowflakeLocalConfigError } from './errors.js';

/** A named internal stage. */
export interface StageRecord {
  database: string;
  schema: string;
  name: string;
  temporary: boolean;
  createdOn: string;
  comment: string;
}

/** One version of a registered model. */
export interface ModelVersionRecord {
  name: string;
  createdOn: string;
  comment: string;
  metadata: Record<string, unknown>;
  aliases: string[];
  /** Methods from MANIFEST.yml: name, type (FUNCTION|TABLE_FUNCTION), inputs, outputs. */
  functions: { name: string; type: string; handler: string; inputs: { name: string; type: string }[]; outputs: { name?: string; type: string }[] }[];
  userData: Record<string, unknown>;
  modelType: string;
}

/** A registered model. */
export interface ModelRecord {
  database: string;
  schema: string;
  name: string;
  createdOn: string;
  comment: string;
  defaultVersion: string | null;
  versions: ModelVersionRecord[];
}

interface CatalogFile {
  version: 1;
  stages: StageRecord[];
  models: ModelRecord[];
  columnTypes?: Record<string, Record<string, string>>;
}

/**
 * Stages and models, the objects DuckDB does not hold. Saved to `catalog.json` under the data dir
 * (written to a temporary sibling and renamed) after every change; kept in memory otherwise.
 */
export class ServerCatalog {
  stages: StageRecord[] = [];
  models: ModelRecord[] = [];
  /** Snowflake types DuckDB cannot tell apart (OBJECT, ARRAY, TIMESTAMP_TZ), by `DB.SCHEMA.TABLE` then column. */
  columnTypes: Record<string, Record<string, string>> = {};

  constructor(private readonly file: string | null) {
    if (file !== null && existsSync(file)) {
      let parsed: CatalogFile;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8')) as CatalogFile;
      } catch (cause) {
        throw new SnowflakeLocalConfigError(`cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
      }
      if (parsed.version !== 1 || !Array.isArray(parsed.stages) || !Array.isArray(parsed.models)) {
        throw new SnowflakeLocalConfigError(`${file} is not a snowflake-local catalog (field "version" must be 1)`, { file, field: 'version' });
      }
      this.stages = parsed.stages;
      this.models = parsed.models;
      this.columnTypes = parsed.columnTypes ?? {};
    }
  }

  /** Writes the persistent part (temporary stages are left out). */
  save(): void {
    if (this.file === null) return;
    const body: CatalogFile = { version: 1, stages: this.stages.filter((s) => !s.temporary), models: this.models, columnTypes: this.columnTypes };
    writeFileAtomicSync(this.file, `${JSON.stringify(body, null, 2)}\n`);
  }

  findStage(database: string, schema: string, name: string): StageRecord | undefined {
    return this.stages.find((s) => s.database === database && s.schema === schema && s.name === name);
  }

  /** The remembered Snowflake type of a column that one of `tables` (bare names) declares, if exactly one type matches. */
  declaredType(tables: readonly string[], column: string): string | undefined {
    const found = new Set<string>();
    for (const [key, columns] of Object.entries(this.columnTypes)) {
      const table = key.slice(key.lastIndexOf('.') + 1);
      if (tables.some((t) => t.toUpperCase() === table.toUpperCase()) && columns[column] !== undefined) found.add(columns[column]!);
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  findModel(database: string, schema: string, name: string): ModelRecord | undefined {
    return this.models.find((m) => m.database === database && m.schema === schema && m.name === name);
  }
}
