import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/** One column of a Snowflake `rowtype`, as the driver reads it. */
export interface RowTypeColumn {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  collation: null;
}

/** A raw rowset value: Snowflake sends every value as text, SQL NULL as null. */
export type RawValue = string | null;

/** Converts one DuckDB value (or its JSON form, for nested types) to Snowflake's text encoding. */
export type Encoder = (value: DuckDBValue, json: unknown) => RawValue;

/** Builds a rowtype column with the fields real servers send. */
export function column(name: string, type: string, extra: Partial<RowTypeColumn> = {}): RowTypeColumn {
  const base: RowTypeColumn = {
    name,
    database: '',
    schema: '',
    table: '',
    type,
    nullable: true,
    precision: null,
    scale: null,
    length: null,
    byteLength: null,
    collation: null,
  };
  if (type === 'fixed') Object.assign(base, { precision: 38, scale: 0 });
  if (type === 'text') Object.assign(base, { length: 16777216, byteLength: 16777216 });
  if (type === 'binary') Object.assign(base, { length: 8388608, byteLength: 8388608 });
  if (type.startsWith('timestamp') || type === 'time') Object.assign(base, { precision: 0, scale: 9 });
  return Object.assign(base, extra);
}

const pad9 = (n: bigint): string => n.toString().padStart(9, '0');

/** Epoch seconds with nine fraction digits, from microseconds (floor division keeps negatives right). */
export function microsToSeconds(micros: bigint): string {
  let secs = micros / 1_000_000n;
  let rest = micros % 1_000_000n;
  if (rest < 0n) {
    secs -= 1n;
    rest += 1_000_000n;
  }
  return `${secs}.${pad9(rest * 1000n)}`;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** The Snowflake column type and value encoder for a DuckDB result column. */
export function describeColumn(name: string, type: DuckDBType): { column: RowTypeColumn; encode: Encoder } {
  const str: Encoder = (v) => String(v);
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { column: column(name, 'boolean'), encode: (v) => (v ? '1' : '0') };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return { column: column(name, 'fixed'), encode: str };
    case DuckDBTypeId.DECIMAL: {
      const d = type as DuckDBDecimalType;
      return { column: column(name, 'fixed', { precision: d.width, scale: d.scale }), encode: str };
    }
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { column: column(name, 'real'), encode: (v) => String(v) };
    case DuckDBTypeId.DATE:
      return { column: column(name, 'date'), encode: (v) => String((v as DuckDBDateValue).days) };
    case DuckDBTypeId.TIME:
      return { column: column(name, 'time'), encode: (v) => microsToSeconds((v as DuckDBTimeValue).micros) };
    case DuckDBTypeId.TIMESTAMP:
      return { column: column(name, 'timestamp_ntz'), encode: (v) => microsToSeconds((v as DuckDBTimestampValue).micros) };
    case DuckDBTypeId.TIMESTAMP_S:
      return { column: column(name, 'timestamp_ntz'), encode: (v) => microsToSeconds((v as unknown as { seconds: bigint }).seconds * 1_000_000n) };
    case DuckDBTypeId.TIMESTAMP_MS:
      return { column: column(name, 'timestamp_ntz'), encode: (v) => microsToSeconds((v as unknown as { millis: bigint }).millis * 1000n) };
    case DuckDBTypeId.TIMESTAMP_NS:
      return { column: column(name, 'timestamp_ntz'), encode: (v) => microsToSeconds((v as unknown as { nanos: bigint }).nanos / 1000n) };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { column: column(name, 'timestamp_ltz'), encode: (v) => microsToSeconds((v as DuckDBTimestampTZValue).micros) };
    case DuckDBTypeId.BLOB:
      return { column: column(name, 'binary'), encode: (v) => toHex((v as DuckDBBlobValue).bytes) };
    case DuckDBTypeId.VARCHAR:
      if (type.alias === 'JSON') return { column: column(name, 'variant'), encode: str };
      return { column: column(name, 'text'), encode: str };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { column: column(name, 'array'), encode: (_v, json) => JSON.stringify(json) };
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return { column: column(name, 'object'), encode: (_v, json) => JSON.stringify(json) };
    default:
      // UUID, INTERVAL, ENUM, TIME_TZ, BIT…: text is the honest Snowflake equivalent.
      return { column: column(name, 'text'), encode: str };
  }
}

/** True when the column needs the JSON form of values (nested types). */
export function needsJson(type: DuckDBType): boolean {
  return [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP].includes(type.typeId);
}
