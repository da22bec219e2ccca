export {
  startSnowflakeLocal,
  type InjectedFault,
  type LocalConnectionOptions,
  type SnowflakeLocal,
  type SnowflakeLocalOptions,
  type SnowflakeLocalStats,
} from './server.js';
export { SnowflakeLocalConfigError, SnowflakeSqlError } from './errors.js';
export type { PredictRequest, Predictor } from './model-registry.js';
export { readModelPackage, type ModelPackage } from './model-package.js';
export { translateStatement, type Translation, type TranslateSession } from './sql-translate.js';
export { tokenize, splitStatements, type Token, type TokenKind } from './sql-tokenizer.js';
