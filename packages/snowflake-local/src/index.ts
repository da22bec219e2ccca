export {
  startSnowflakeLocal,
  type InjectedFault,
  type LocalConnectionOptions,
  type SnowflakeLocal,
  type SnowflakeLocalOptions,
  type SnowflakeLocalStats,
} from './server.js';
export { SnowflakeLocalConfigError, SnowflakeSqlError } from './errors.js';
export type { PredictRequest, Predictor } from './predictor.js';
export { createHandlerPredictor, type HandlerPredictorOptions } from './model-predict.js';
export { HandlerFailedError, HandlerWorker, type HandlerWorkerLimits } from './handler-worker.js';
export { DEFAULT_WHEELS_DIR, HANDLER_PACKAGES, HandlerRuntimeError, handlerPython, type HandlerPythonOptions } from './python-env.js';
export { createHttpGuard, HttpGuardError, sendJson, sendRefusal, type HttpGuard, type HttpGuardLimits } from '@defectkit/core/node';
export { readModelPackage, type ModelPackage } from './model-package.js';
export { translateStatement, type Translation, type TranslateSession } from './sql-translate.js';
export { tokenize, splitStatements, type Token, type TokenKind } from './sql-tokenizer.js';
