import type { Command } from 'commander';

/** Registers `defectkit detect`. */
export function registerDetect(program: Command): void {
  void program;
}
