import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';
import { numberOption } from '../option-parsers.js';

const MAX_FINDINGS_SHOWN = 20;

interface ConvertFlags {
  from: string;
  to: string;
  input: string;
  output: string;
  split?: string;
  seed: number;
  copy?: boolean;
  overwrite?: boolean;
  skipInvalid?: boolean;
  report?: string;
  json?: boolean;
}

/** Registers `defectkit convert`: any-to-any dataset conversion through the annotations model. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Convert a dataset between deeppcb, yolo, voc and coco (validated; written atomically; inputs never modified)')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit convert --from deeppcb --to yolo --input ../shared/data/deeppcb --output data/pcb-yolo --split train=0.9,val=0.1 --seed 0',
          'defectkit convert --from yolo --to coco --input data/pcb-yolo --output data/pcb-coco',
          'defectkit convert --from voc --to yolo --input voc/ --output yolo/ --skip-invalid --copy',
        ],
        [],
      ),
    )
    .requiredOption('--from <format>', 'source format: deeppcb, yolo, voc or coco')
    .requiredOption('--to <format>', 'output format: deeppcb, yolo, voc or coco')
    .requiredOption('--input <dir>', 'source dataset folder')
    .requiredOption('--output <dir>', 'output folder (must be absent or empty unless --overwrite)')
    .option('--split <spec>', '"upstream" (keep the source splits, the default) or fractions like train=0.9,val=0.1')
    .option('--seed <n>', 'seed of the stratified split', numberOption('seed', { integer: true, expected: 'an integer' }), 0)
    .option('--copy', 'copy images instead of symlinking them')
    .option('--overwrite', 'replace a non-empty output folder')
    .option('--skip-invalid', 'drop invalid boxes and unreadable images (counted in the report) instead of refusing')
    .option('--report <file>', 'where to write the validation report when conversion refuses (default <output>.validation.json)')
    .option('--json', 'print the conversion report as JSON')
    .action(async (flags: ConvertFlags) => {
      const { DatasetValidationError, formatFinding, parseDatasetFormat, parseSplitSpec } = await import('@defectkit/annotations');
      const { convertDataset } = await import('@defectkit/annotations/node');
      const seed = flags.seed;
      const report = await convertDataset({
        from: parseDatasetFormat(flags.from, 'from'),
        to: parseDatasetFormat(flags.to, 'to'),
        input: flags.input,
        output: flags.output,
        ...(flags.split === undefined ? {} : { split: parseSplitSpec(flags.split) }),
        seed,
        images: flags.copy ? 'copy' : 'link',
        overwrite: flags.overwrite ?? false,
        skipInvalid: flags.skipInvalid ?? false,
        ...(flags.report === undefined ? {} : { reportFile: flags.report }),
      }).catch((error: unknown) => {
        // List the first findings so the user sees file:line without opening the report.
        if (error instanceof DatasetValidationError) {
          const shown = error.findings.slice(0, MAX_FINDINGS_SHOWN).map((f) => `  ${formatFinding(f)}\n`).join('');
          const more = error.findings.length > MAX_FINDINGS_SHOWN ? `  ... and ${error.findings.length - MAX_FINDINGS_SHOWN} more in the report\n` : '';
          process.stderr.write(shown + more);
        }
        throw error;
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [`converted ${report.input} (${report.from}) -> ${report.output} (${report.to})`];
      for (const [split, counts] of Object.entries(report.splits)) {
        const { images, boxes, ...perClass } = counts;
        lines.push(`  ${split}: ${images} images, ${boxes} boxes (${Object.entries(perClass).map(([c, n]) => `${c} ${n}`).join(', ')})`);
      }
      if (report.skipped.boxes + report.skipped.images > 0) lines.push(`  skipped as invalid: ${report.skipped.boxes} boxes, ${report.skipped.images} images`);
      if (report.validation.warnings > 0) lines.push(`  ${report.validation.warnings} warning(s): see defectkit-conversion.json in the output`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
