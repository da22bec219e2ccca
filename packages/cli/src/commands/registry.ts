import type { Command } from 'commander';

/** Registers `defectkit registry`. */
export function registerRegistry(program: Command): void {
  void program;
}
