import type { Command } from 'commander';

/** Registers `defectkit eval`. */
export function registerEval(program: Command): void {
  void program;
}
