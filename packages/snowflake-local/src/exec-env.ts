import type { DataPaths } from './data-paths.js';
import type { Engine } from './engine.js';
import type { Predictor } from './predictor.js';
import type { ServerCatalog } from './server-catalog.js';
import type { Session } from './session.js';

/**
 * Everything a statement may touch. It lives in its own module so the statement families (tables,
 * stages, models) depend on it, not on the executor that dispatches to them: no import circle.
 */
export interface ExecEnv {
  engine: Engine;
  catalog: ServerCatalog;
  session: Session;
  paths: DataPaths;
  predictor: Predictor;
}
