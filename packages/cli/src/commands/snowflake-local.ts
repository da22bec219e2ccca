import type { Command } from 'commander';

/** Registers `defectkit snowflake-local`. */
export function registerSnowflakeLocal(program: Command): void {
  void program;
}
