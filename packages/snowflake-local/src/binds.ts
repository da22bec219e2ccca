import { blobValue, type DuckDBValue } from '@duckdb/node-api';
import { SnowflakeSqlError } from './errors.js';

/** The `bindings` object of a query request: keys "1", "2", … each `{type, value}`. */
export type Bindings = Record<string, { type?: string; value: unknown }>;

function bindError(key: string, message: string): SnowflakeSqlError {
  return new SnowflakeSqlError('002049', '22023', `SQL compilation error: bind variable ${key}: ${message}`, { bind: key });
}

/** `date` when it is a real date (JavaScript dates end at ±8.64e15 ms), else the bind error naming the value. */
function validDate(key: string, date: Date, value: string): Date {
  if (Number.isNaN(date.getTime())) throw bindError(key, `'${value}' is outside the range of dates`);
  return date;
}

/** Converts one bound value (always text or null on the wire) to the DuckDB value it stands for. */
export function bindValue(key: string, type: string, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') {
    // Other drivers may send raw JSON numbers or booleans; accept their text form.
    if (typeof value === 'number' || typeof value === 'boolean') return bindValue(key, type, String(value));
    throw bindError(key, `value must be text, got ${typeof value}`);
  }
  switch (type.toUpperCase()) {
    case 'FIXED':
      if (/^[-+]?\d+$/.test(value)) return BigInt(value);
      if (Number.isFinite(Number(value))) return Number(value);
      throw bindError(key, `'${value}' is not a number`);
    case 'REAL':
      if (Number.isNaN(Number(value)) && value !== 'NaN') throw bindError(key, `'${value}' is not a number`);
      return Number(value);
    case 'BOOLEAN':
      return value === 'true' || value === '1' || value.toUpperCase() === 'TRUE';
    case 'BINARY':
      if (!/^([0-9a-fA-F]{2})*$/.test(value)) throw bindError(key, 'BINARY binds must be hex text');
      return blobValue(Buffer.from(value, 'hex'));
    case 'DATE': {
      // The Python connector sends epoch milliseconds.
      if (!/^-?\d+$/.test(value)) return value;
      return validDate(key, new Date(Number(value)), value).toISOString().slice(0, 10);
    }
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMP': {
      // The Python connector sends epoch nanoseconds (optionally followed by a tz offset).
      const m = /^(-?\d+)(?: \d+)?$/.exec(value);
      if (!m) return value;
      const nanos = BigInt(m[1]!);
      const millis = Number(nanos / 1_000_000n);
      const iso = validDate(key, new Date(millis), value).toISOString().replace('Z', '');
      const micros = ((nanos / 1000n) % 1000n + 1000n) % 1000n;
      return `${iso}${String(micros).padStart(3, '0')}`;
    }
    default:
      return value;
  }
}

/** The wire shape of `bindings` (from any client, so untrusted): an object of `{ type?: string, value }` entries. */
function checkBindings(bindings: unknown): asserts bindings is Bindings | undefined {
  if (bindings === undefined || bindings === null) return;
  if (typeof bindings !== 'object' || Array.isArray(bindings)) throw bindError('bindings', 'must be an object of numbered binds');
  for (const [key, entry] of Object.entries(bindings)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bindError(key, 'must be an object with type and value');
    const type = (entry as { type?: unknown }).type;
    if (type !== undefined && typeof type !== 'string') throw bindError(key, `type must be text, got ${typeof type}`);
  }
}

/**
 * The parameter rows for a statement: one row for scalar binds, one per element for array binds
 * (every key then holds an array of the same length).
 */
export function bindRows(bindings: Bindings | undefined, needed: number): DuckDBValue[][] {
  checkBindings(bindings);
  const keys = Object.keys(bindings ?? {});
  if (keys.length === 0) {
    if (needed > 0) throw bindError(String(needed), 'no value was bound');
    return [[]];
  }
  const b = bindings!;
  // Only the placeholders the statement uses are passed (Snowflake ignores extra binds).
  const count = needed;
  const arrays = keys.filter((k) => Array.isArray(b[k]!.value));
  if (arrays.length > 0 && arrays.length !== keys.length) throw bindError(arrays[0]!, 'array and scalar binds are mixed');
  const rowCount = arrays.length > 0 ? (b[arrays[0]!]!.value as unknown[]).length : 1;
  const rows: DuckDBValue[][] = [];
  for (let r = 0; r < rowCount; r++) {
    const row: DuckDBValue[] = [];
    for (let i = 1; i <= count; i++) {
      const entry = b[String(i)];
      if (!entry) throw bindError(String(i), 'no value was bound');
      const raw = arrays.length > 0 ? (entry.value as unknown[])[r] : entry.value;
      if (arrays.length > 0 && (entry.value as unknown[]).length !== rowCount) throw bindError(String(i), 'array binds have different lengths');
      row.push(bindValue(String(i), entry.type ?? 'TEXT', raw));
    }
    rows.push(row);
  }
  return rows;
}
