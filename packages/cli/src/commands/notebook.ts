import type { Command } from 'commander';

/** Registers `defectkit notebook`. */
export function registerNotebook(program: Command): void {
  void program;
}
