import type { Command } from 'commander';

interface EvalFlags {
  gt: string;
  pred: string;
  protocol: string;
  gtFormat?: string;
  split?: string;
  json?: boolean;
  conf: string;
  iou: string;
}

/** Registers `defectkit eval`: parses the options, runs `evaluateFiles` of `@defectkit/postprocess/node`, prints the report. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate predictions against ground truth: COCO (pycocotools-identical), VOC, DeepPCB protocol or Ultralytics-style mAP')
    .requiredOption('--gt <path>', 'ground truth: a COCO annotation JSON file, or a dataset folder (see --gt-format)')
    .requiredOption('--pred <path>', 'predictions: a COCO results JSON file, or a folder of DeepPCB result files <image stem>.txt')
    .requiredOption('--protocol <name>', 'coco, voc, deeppcb or ultralytics')
    .option('--gt-format <fmt>', 'format of a ground-truth folder: deeppcb, yolo, voc or coco')
    .option('--split <name>', 'evaluate only this split of a ground-truth folder (train, val or test)')
    .option('--conf <n>', 'score threshold of the P / R / F1 / confusion-matrix figures (scores strictly above count)', '0.25')
    .option('--iou <n>', 'IoU threshold of the P / R / F1 / confusion-matrix figures', '0.5')
    .option('--json', 'print one JSON object (for coco: `stats` = the 12 pycocotools numbers in order)')
    .action(async (flags: EvalFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const { formatEvalReport, parseEvalProtocol } = await import('@defectkit/postprocess');
      const { evaluateFiles } = await import('@defectkit/postprocess/node');
      const number = (text: string, field: string): number => {
        const value = Number(text);
        if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError('INVALID_NUMBER', `--${field} "${text}" is not a number`, { field, value: text });
        return value;
      };
      const protocol = parseEvalProtocol(flags.protocol);
      const options = { protocol, scoreThreshold: number(flags.conf, 'conf'), iouThreshold: number(flags.iou, 'iou') };
      const sources = { gt: flags.gt, pred: flags.pred, ...(flags.gtFormat === undefined ? {} : { gtFormat: flags.gtFormat }), ...(flags.split === undefined ? {} : { split: flags.split }) };
      const report = await evaluateFiles(sources, options);
      process.stdout.write(flags.json ? `${JSON.stringify(report.json)}\n` : `${formatEvalReport(report)}\n`);
    });
}
