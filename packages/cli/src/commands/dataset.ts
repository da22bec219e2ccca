import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';

interface DatasetFlags {
  format: string;
  json?: boolean;
}

const MAX_FINDINGS_SHOWN = 50;

/** Registers `defectkit dataset validate|stats <dir> --format <fmt> [--json]`. */
export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('Inspect a dataset folder (deeppcb, yolo, voc or coco)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit dataset validate data/pcb-yolo --format yolo',
          'defectkit dataset stats ../shared/data/deeppcb --format deeppcb --json',
        ],
        [],
      ),
    );

  dataset
    .command('validate <dir>')
    .description('Check every box and file; lists each finding with its file and line; exit code 1 when there are errors')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit dataset validate data/pcb-yolo --format yolo',
          'defectkit dataset validate ../shared/data/deeppcb --format deeppcb --json',
        ],
        [],
      ),
    )
    .requiredOption('--format <format>', 'deeppcb, yolo, voc or coco')
    .option('--json', 'print the full report as JSON')
    .action(async (dir: string, flags: DatasetFlags) => {
      const { formatFinding, parseDatasetFormat, validateDataset } = await import('@defectkit/annotations');
      const { readDataset } = await import('@defectkit/annotations/node');
      const { dataset: data, findings } = await readDataset(dir, parseDatasetFormat(flags.format));
      const report = validateDataset(data, findings);
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const lines = report.findings.slice(0, MAX_FINDINGS_SHOWN).map(formatFinding);
        if (report.findings.length > MAX_FINDINGS_SHOWN) lines.push(`... and ${report.findings.length - MAX_FINDINGS_SHOWN} more (use --json for all)`);
        const rules = Object.entries(report.byRule).map(([rule, n]) => `${rule} ${n}`).join(', ');
        lines.push(`${dir}: ${report.images} images, ${report.boxes} boxes, ${report.errors} error(s), ${report.warnings} warning(s)${rules ? ` (${rules})` : ''}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (report.errors > 0) process.exitCode = 1;
    });

  dataset
    .command('stats <dir>')
    .description('Images, boxes per class, boxes per image, box width/height min/median/max')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit dataset stats data/pcb-yolo --format yolo',
          'defectkit dataset stats ../shared/data/deeppcb --format deeppcb --json',
        ],
        [],
      ),
    )
    .requiredOption('--format <format>', 'deeppcb, yolo, voc or coco')
    .option('--json', 'print the statistics as JSON')
    .action(async (dir: string, flags: DatasetFlags) => {
      const { datasetStats, parseDatasetFormat } = await import('@defectkit/annotations');
      const { readDataset } = await import('@defectkit/annotations/node');
      const { dataset: data } = await readDataset(dir, parseDatasetFormat(flags.format));
      const stats = datasetStats(data);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        return;
      }
      const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
      const spread = (s: { min: number; median: number; max: number }) => `min ${fmt(s.min)}, median ${fmt(s.median)}, max ${fmt(s.max)}`;
      const lines = [
        `images: ${stats.images} (${Object.entries(stats.imagesPerSplit).map(([s, n]) => `${s} ${n}`).join(', ')})`,
        `boxes: ${stats.boxes}`,
        ...Object.entries(stats.boxesPerClass).map(([c, n]) => `  ${c}: ${n}`),
        `boxes per image: ${spread(stats.boxesPerImage)}, mean ${fmt(stats.boxesPerImage.mean)}`,
        `box width (px): ${spread(stats.boxWidth)}`,
        `box height (px): ${spread(stats.boxHeight)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
