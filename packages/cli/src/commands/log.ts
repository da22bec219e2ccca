import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';
import { choiceOption, positiveIntOption } from '../option-parsers.js';

/** The log targets, and what `--log` says about them (listed here so --help needs no import). */
const LOG_HELP = 'where the inspection log is: local (the DuckDB file $DEFECTKIT_HOME/inspection.duckdb, default), snowflake or snowflake:<connection>';
const BOARD_ID_RULES = ['name', 'folder'] as const;
/** What `defectkit log review <id> <verdict>` accepts, and the stored verdict of each. */
const VERDICTS = { true: 'true_defect', false: 'false_call', true_defect: 'true_defect', false_call: 'false_call' } as const;

interface TargetFlags {
  log: string;
  json?: boolean;
}

interface FilterFlags extends TargetFlags {
  from?: string;
  to?: string;
  line?: string;
  model?: string;
}

async function openStore(flags: TargetFlags) {
  const { openInspectionStore } = await import('@defectkit/inspection');
  return openInspectionStore(flags.log, { warn: (message) => process.stderr.write(`defectkit: warning: ${message}\n`) });
}

const filterOf = (flags: FilterFlags) => ({
  ...(flags.from === undefined ? {} : { from: flags.from }),
  ...(flags.to === undefined ? {} : { to: flags.to }),
  ...(flags.line === undefined ? {} : { line: flags.line }),
  ...(flags.model === undefined ? {} : { model: flags.model }),
});

const percent = (value: number | null): string => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

/** Registers `defectkit log` (the inspection log: import results, review calls, summaries). */
export function registerLog(program: Command): void {
  const log = program
    .command('log')
    .description('The inspection log (every inspected board and defect call, locally or on Snowflake): import detect results, review calls, print the summary.')
    .addHelpText(
      'after',
      helpFooter(
        ['defectkit log import results.json --line L1 --shift night', 'defectkit log review --unreviewed', 'defectkit log summary --line L1 --json'],
        [ENV.defectkitHome, ENV.snowflakeHome, ENV.snowflakeConnection],
      ),
    );

  log
    .command('import')
    .description('Log the results of `defectkit detect --format json` made elsewhere: one board per image (clean ones too), one row per call. Importing the same file with the same --at twice logs it once.')
    .argument('<results>', 'a JSON file written by `defectkit detect --format json`')
    .option('--log <target>', LOG_HELP, 'local')
    .option('--line <id>', 'FACTORY_LINE_ID of every board')
    .option('--shift <name>', 'SHIFT of every board')
    .option('--board-id-from <rule>', 'board id from the image file name (name) or its folder name (folder)', choiceOption('board-id-from', BOARD_ID_RULES), 'name')
    .requiredOption('--model-version <version>', 'MODEL_VERSION of the model that made the results')
    .option('--model-name <name>', 'MODEL_NAME', 'pcb-defects')
    .option('--at <time>', 'the inspection time, ISO 8601 (default: now)')
    .option('--product-type <type>', 'PCB_METADATA.PRODUCT_TYPE of every board')
    .option('--json', 'print JSON')
    .addHelpText('after', helpFooter(['defectkit log import results.json --model-version v2 --line L1 --shift day', 'defectkit log import results.json --model-version v2 --log snowflake:prod --at 2026-11-30T06:00:00Z'], [ENV.defectkitHome, ENV.snowflakeHome]))
    .action(
      async (
        file: string,
        flags: TargetFlags & { line?: string; shift?: string; boardIdFrom: 'name' | 'folder'; modelVersion: string; modelName: string; at?: string; productType?: string },
      ) => {
        const { InvalidArgumentError } = await import('@defectkit/core');
        const { boardsFromDetections, logInspections, readDetectJson } = await import('@defectkit/inspection');
        const at = flags.at === undefined ? new Date() : new Date(flags.at);
        if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('INVALID_OPTION', `--at must be an ISO 8601 time (got "${flags.at}")`, { field: 'at', value: flags.at });
        const boards = boardsFromDetections(await readDetectJson(file), {
          modelName: flags.modelName,
          modelVersion: flags.modelVersion,
          line: flags.line ?? null,
          shift: flags.shift ?? null,
          boardIdFrom: flags.boardIdFrom,
          productType: flags.productType ?? null,
          at,
        });
        const logged = await logInspections(flags.log, boards);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(logged, null, 2)}\n`
            : `logged ${logged.boards} boards (${logged.defects} defect calls) to ${logged.location}${logged.skipped > 0 ? `; ${logged.skipped} already logged` : ''}\n`,
        );
      },
    );

  log
    .command('review')
    .description('Review defect calls: without arguments, list calls (newest first); with <defect-id> <verdict>, record the verdict (true: a real defect, false: a false call); with --missed <inference-id> --class C, add a defect the model missed.')
    .argument('[defect-id]', 'the DEFECT_ID of a call (from the listing)')
    .argument('[verdict]', 'true (true_defect) or false (false_call)')
    .option('--log <target>', LOG_HELP, 'local')
    .option('--reviewer <name>', 'who reviews (REVIEWER)')
    .option('--missed <inference-id>', 'add a missed defect to this inspection (INFERENCE_ID from the listing)')
    .option('--class <name>', 'the class of the missed defect')
    .option('--box <x1,y1,x2,y2>', 'where the missed defect is, in image pixels')
    .option('--unreviewed', 'list only calls without a verdict')
    .option('--from <YYYY-MM-DD>', 'list inspections from this day')
    .option('--to <YYYY-MM-DD>', 'list inspections up to this day')
    .option('--line <id>', 'list one factory line')
    .option('--model <version>', 'list one model version')
    .option('--limit <n>', 'list at most this many calls', positiveIntOption('limit'), 50)
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      helpFooter(
        ['defectkit log review --unreviewed --line L1', 'defectkit log review 3f2a9c1e-0b7d-4c55-8e21-7a9d0c4b1e22 false --reviewer ana', 'defectkit log review --missed 9b1c... --class short --box 10,20,40,60'],
        [ENV.defectkitHome, ENV.snowflakeHome],
      ),
    )
    .action(async (defectId: string | undefined, verdict: string | undefined, flags: FilterFlags & { reviewer?: string; missed?: string; class?: string; box?: string; unreviewed?: boolean; limit: number }) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      if (flags.missed !== undefined && flags.class === undefined) throw new InvalidArgumentError('MISSING_OPTION', '--missed needs --class <name>', { field: 'class' });
      if (defectId !== undefined && verdict === undefined) throw new InvalidArgumentError('MISSING_OPTION', `give the verdict after the defect id: true or false`, { field: 'verdict' });
      const stored = verdict === undefined ? undefined : VERDICTS[verdict as keyof typeof VERDICTS];
      if (verdict !== undefined && stored === undefined) throw new InvalidArgumentError('INVALID_OPTION', `the verdict must be true or false (got "${verdict}")`, { field: 'verdict', value: verdict });
      let box: [number, number, number, number] | null = null;
      if (flags.box !== undefined) {
        const parts = flags.box.split(',').map(Number);
        if (parts.length !== 4 || !parts.every(Number.isFinite)) throw new InvalidArgumentError('INVALID_OPTION', `--box must be x1,y1,x2,y2 (got "${flags.box}")`, { field: 'box', value: flags.box });
        box = parts as [number, number, number, number];
      }
      const store = await openStore(flags);
      try {
        const reviewer = flags.reviewer ?? null;
        if (flags.missed !== undefined) {
          const id = await store.addMissed({ inferenceId: flags.missed, detectedClass: flags.class!, boundingBox: box, reviewer });
          process.stdout.write(flags.json ? `${JSON.stringify({ defectId: id }, null, 2)}\n` : `added missed ${flags.class} as ${id}\n`);
        }
        if (defectId !== undefined && stored !== undefined) {
          await store.review({ defectId, verdict: stored, reviewer });
          process.stdout.write(flags.json ? `${JSON.stringify({ defectId, verdict: stored }, null, 2)}\n` : `${defectId}: ${stored}\n`);
        }
        if (flags.missed === undefined && defectId === undefined) {
          const rows = await store.defects({ ...filterOf(flags), ...(flags.unreviewed ? { unreviewed: true } : {}), limit: flags.limit });
          if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else {
            for (const r of rows) {
              process.stdout.write(
                `${r.defectId}  ${r.timestamp.toISOString().slice(0, 16)}  ${r.factoryLineId ?? '-'}/${r.shift ?? '-'}  ${r.boardId}  ${r.detectedClass} ${r.confidenceScore === null ? 'missed' : r.confidenceScore.toFixed(2)}  ${r.reviewVerdict ?? 'unreviewed'}  (inspection ${r.inferenceId})\n`,
              );
            }
            process.stdout.write(`${rows.length} calls\n`);
          }
        }
      } finally {
        await store.close();
      }
    });

  log
    .command('summary')
    .description('Print the dashboard numbers: boards, yield, defect rate, defects by class, false-call rate.')
    .option('--log <target>', LOG_HELP, 'local')
    .option('--from <YYYY-MM-DD>', 'first day')
    .option('--to <YYYY-MM-DD>', 'last day')
    .option('--line <id>', 'one factory line')
    .option('--model <version>', 'one model version')
    .option('--json', 'print JSON (the same object as GET /api/summary)')
    .addHelpText('after', helpFooter(['defectkit log summary', 'defectkit log summary --from 2026-11-01 --line L1 --json'], [ENV.defectkitHome, ENV.snowflakeHome]))
    .action(async (flags: FilterFlags) => {
      const store = await openStore(flags);
      try {
        const s = await store.summary(filterOf(flags));
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `${s.boards} boards: ${s.passed} passed, ${s.failed} failed; yield ${percent(s.yield)}, defect rate ${percent(s.defectRate)}; ${s.calls} calls, ` +
            `false-call rate ${percent(s.falseCallRate)} (${s.falseCalls} of ${s.reviewedCalls} reviewed)\n`,
        );
        for (const c of s.defectsByClass) process.stdout.write(`  ${c.detectedClass}: ${c.defects} defects (${c.calls} calls, ${c.falseCalls} false, ${c.missed} missed)\n`);
      } finally {
        await store.close();
      }
    });
}
