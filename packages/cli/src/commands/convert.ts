import type { Command } from 'commander';

/** Registers `defectkit convert`. */
export function registerConvert(program: Command): void {
  void program;
}
