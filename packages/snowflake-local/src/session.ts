import { randomBytes, randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';

/** One logged-in driver connection. */
export interface Session {
  id: string;
  user: string;
  role: string;
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  token: string;
  masterToken: string;
  tokenExpiresAt: number;
  masterExpiresAt: number;
  conn: DuckDBConnection;
  /** Serialises statements on this session's DuckDB connection. */
  queue: Promise<unknown>;
  /** Temporary stages created by this session, dropped with it (keys `DB.SCHEMA.NAME`). */
  tempStages: Set<string>;
  /** Query ids of results kept for this session. */
  queryIds: Set<string>;
  /** Inside an explicit BEGIN … COMMIT/ROLLBACK (statements are then never retried on conflicts). */
  inTransaction: boolean;
}

/** Opaque random token text. */
export function newToken(prefix: string): string {
  return `${prefix}:${randomBytes(24).toString('base64url')}`;
}

/** A numeric session id as Snowflake uses. */
export function newSessionId(): string {
  return String(Number.parseInt(randomUUID().replace(/-/g, '').slice(0, 12), 16));
}

/** Runs `task` after every earlier task of the session, so its DuckDB connection sees one statement at a time. */
export function runSerialized<T>(session: Session, task: () => Promise<T>): Promise<T> {
  const run = session.queue.then(task, task);
  session.queue = run.catch(() => undefined);
  return run;
}
