import type { Command } from 'commander';

/** Registers `defectkit dataset`. */
export function registerDataset(program: Command): void {
  void program;
}
