import type { Command } from 'commander';
import { registerApp } from './app.js';
import { registerConvert } from './convert.js';
import { registerDataset } from './dataset.js';
import { registerDetect } from './detect.js';
import { registerEval } from './eval.js';
import { registerLog } from './log.js';
import { registerNotebook } from './notebook.js';
import { registerRegistry } from './registry.js';
import { registerServe } from './serve.js';
import { registerSnowflake } from './snowflake.js';
import { registerSnowflakeLocal } from './snowflake-local.js';

/** Each command lives in its own module; this is the one place that lists them. */
export function registerCommands(program: Command): void {
  registerConvert(program);
  registerDataset(program);
  registerEval(program);
  registerDetect(program);
  registerLog(program);
  registerNotebook(program);
  registerApp(program);
  registerSnowflakeLocal(program);
  registerRegistry(program);
  registerSnowflake(program);
  registerServe(program);
}
