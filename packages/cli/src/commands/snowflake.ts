import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';
import { registerSnowflakeDeploy } from './snowflake-deploy.js';

interface ConnectionFlags {
  connection?: string;
  json?: boolean;
}

async function connect(flags: ConnectionFlags) {
  const { SnowflakeSession } = await import('@defectkit/snowflake');
  return SnowflakeSession.connect({
    ...(flags.connection === undefined ? {} : { connection: flags.connection }),
    warn: (message) => process.stderr.write(`defectkit: warning: ${message}\n`),
  });
}

/** A one-line progress bar for a TTY. */
function bar(done: number, total: number, skipped: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} (${skipped} already on the stage)`;
}

/** Registers `defectkit snowflake`. */
export function registerSnowflake(program: Command): void {
  const snowflake = program.command('snowflake').description('Snowflake data: the defect-log tables and dataset upload (connections from ~/.snowflake/connections.toml).')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit snowflake setup --connection local',
          'defectkit snowflake upload-dataset data/pcb-yolo --format yolo --stage @DEFECTKIT.PUBLIC.DATASETS/pcb --table PCB_LABELS --connection local',
        ],
        [ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    );

  snowflake
    .command('setup')
    .description('Create the inspection log in Snowflake when missing: the schema, BOARD_INSPECTIONS, DEFECT_LOGS, PCB_METADATA and the views (yield, defect rate, Pareto, line x shift, false-call rate).')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit snowflake setup --connection local',
          'defectkit snowflake setup --database DEFECTKIT --schema LOGS --json',
        ],
        [ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .option('--connection <name>', 'a connection from connections.toml (default: the default connection)')
    .option('--database <DB>', 'the database (default: the connection database)')
    .option('--schema <SCHEMA>', 'the schema (default: the connection schema)')
    .option('--json', 'print JSON')
    .action(async (flags: ConnectionFlags & { database?: string; schema?: string }) => {
      const { LOG_TABLES, VIEW_NAMES, openSnowflakeInspectionStore } = await import('@defectkit/inspection');
      const session = await connect(flags);
      try {
        const store = await openSnowflakeInspectionStore({
          session,
          setup: true,
          ...(flags.database === undefined ? {} : { database: flags.database }),
          ...(flags.schema === undefined ? {} : { schema: flags.schema }),
        });
        const tables = LOG_TABLES.map((t) => `${store.location}.${t.name}`);
        const views = VIEW_NAMES.map((v) => `${store.location}.${v}`);
        process.stdout.write(flags.json ? `${JSON.stringify({ tables, views }, null, 2)}\n` : `ready: ${tables.join(', ')}\nviews: ${views.join(', ')}\n`);
      } finally {
        await session.close();
      }
    });

  snowflake
    .command('upload-dataset')
    .description('Upload a dataset: images to a stage (resumable: files with the same size and MD5 are skipped), one label row per box into a table.')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit snowflake upload-dataset data/pcb-yolo --format yolo --stage @DEFECTKIT.PUBLIC.DATASETS/pcb --table PCB_LABELS --connection local',
          'defectkit snowflake upload-dataset ../shared/data/deeppcb --format deeppcb --stage @DB.SCHEMA.STAGE/deeppcb --table DB.SCHEMA.LABELS',
        ],
        [ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<dir>', 'the dataset folder')
    .requiredOption('--format <format>', 'deeppcb, yolo, voc or coco')
    .requiredOption('--stage <@DB.SCHEMA.STAGE[/path]>', 'where the images go (the stage is created when missing)')
    .requiredOption('--table <name>', 'the label table ([DB.[SCHEMA.]]NAME; created when missing)')
    .option('--connection <name>', 'a connection from connections.toml (default: the default connection)')
    .option('--json', 'print JSON')
    .action(async (dir: string, flags: ConnectionFlags & { format: string; stage: string; table: string }) => {
      const { parseDatasetFormat } = await import('@defectkit/annotations');
      const { uploadDataset } = await import('@defectkit/snowflake');
      const format = parseDatasetFormat(flags.format);
      const session = await connect(flags);
      const tty = process.stderr.isTTY === true;
      try {
        const summary = await uploadDataset(session, {
          dir,
          format,
          stage: flags.stage,
          table: flags.table,
          onProgress: (p) => {
            if (tty) process.stderr.write(`\r${bar(p.done, p.total, p.skipped)}${p.done === p.total ? '\n' : ''}`);
            else if (p.done === p.total || p.done % 100 === 0) process.stderr.write(`${p.done}/${p.total} files (${p.skipped} already on the stage)\n`);
          },
        });
        process.stdout.write(
          flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `uploaded ${summary.uploaded} files, skipped ${summary.skipped} already on the stage; ${summary.rows} label rows in ${flags.table}\n`,
        );
      } finally {
        await session.close();
      }
    });

  registerSnowflakeDeploy(snowflake);
}
