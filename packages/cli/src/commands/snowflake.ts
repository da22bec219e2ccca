import type { Command } from 'commander';

/** Registers `defectkit snowflake`. */
export function registerSnowflake(program: Command): void {
  void program;
}
