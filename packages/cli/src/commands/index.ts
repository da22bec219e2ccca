import type { Command } from 'commander';

/** Each command lives in its own module; this is the one place that lists them. */
export function registerCommands(program: Command): void {
  void program;
}
