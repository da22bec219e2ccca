import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';
import { unitOption } from '../option-parsers.js';

interface EvalFlags {
  gt: string;
  pred: string;
  protocol: string;
  gtFormat?: string;
  split?: string;
  json?: boolean;
  conf: number;
  iou: number;
  good?: string;
  verdictConf?: string;
}

/** Registers `defectkit eval`: parses the options, runs `evaluateFiles` of `@defectkit/postprocess/node`, prints the report. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate predictions against ground truth: COCO (pycocotools-identical), VOC, DeepPCB protocol or Ultralytics-style mAP')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit eval --gt data/pcb-yolo --gt-format yolo --split val --pred val.coco.json --protocol coco',
          'defectkit eval --gt data/pcb-yolo --gt-format yolo --split val --pred val.coco.json --protocol ultralytics --conf 0.25 --json',
          'defectkit eval --gt ../shared/data/deeppcb --gt-format deeppcb --pred results/ --protocol deeppcb',
        ],
        [],
      ),
    )
    .requiredOption('--gt <path>', 'ground truth: a COCO annotation JSON file, or a dataset folder (see --gt-format)')
    .requiredOption('--pred <path>', 'predictions: a COCO results JSON file, or a folder of DeepPCB result files <image stem>.txt')
    .requiredOption('--protocol <name>', 'coco, voc, deeppcb, ultralytics or board (escapes, false-call boards, false boxes per board, confidence sweep)')
    .option('--gt-format <fmt>', 'format of a ground-truth folder: deeppcb, yolo, voc or coco')
    .option('--split <name>', 'evaluate only this split of a ground-truth folder (train, val or test)')
    .option('--conf <n>', 'score threshold of the P / R / F1 / confusion-matrix figures (scores strictly above count)', unitOption('conf'), 0.25)
    .option('--iou <n>', 'IoU threshold of the P / R / F1 / confusion-matrix figures', unitOption('iou'), 0.5)
    .option('--good <folder>', 'defect-free boards (e.g. DeepPCB _temp templates) added to a ground-truth folder; their predictions come from --pred too')
    .option('--verdict-conf <rule>', 'board: per-class verdict thresholds over --conf, e.g. short=0.3,open=0.4 (a detection scoring at or above fails its board)')
    .option('--json', 'print one JSON object (for coco: `stats` = the 12 pycocotools numbers in order)')
    .action(async (flags: EvalFlags) => {
      const { formatEvalReport, parseEvalProtocol } = await import('@defectkit/postprocess');
      const { evaluateFiles } = await import('@defectkit/postprocess/node');
      const protocol = parseEvalProtocol(flags.protocol);
      const { parseVerdictSpec } = await import('@defectkit/postprocess');
      const options = { protocol, scoreThreshold: flags.conf, iouThreshold: flags.iou, ...(flags.verdictConf === undefined ? {} : { verdict: parseVerdictSpec(flags.verdictConf) }) };
      const sources = {
        gt: flags.gt,
        pred: flags.pred,
        ...(flags.gtFormat === undefined ? {} : { gtFormat: flags.gtFormat }),
        ...(flags.split === undefined ? {} : { split: flags.split }),
        ...(flags.good === undefined ? {} : { good: flags.good }),
      };
      const report = await evaluateFiles(sources, options);
      process.stdout.write(flags.json ? `${JSON.stringify(report.json)}\n` : `${formatEvalReport(report)}\n`);
    });
}
