import type { Command } from 'commander';
import { helpFooter, ENV } from '../help-examples.js';
import { addRecipeOptions, recipeOptions, type RecipeFlags } from '../recipe-flags.js';

interface DeployFlags extends RecipeFlags {
  app?: string[];
  connection?: string;
  data?: string;
  dataFormat: string;
  logDatabase?: string;
  logSchema?: string;
  modelVersion?: string;
  state?: string;
  dryRun?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];

/** The deploy record's default place: `$DEFECTKIT_HOME/deployments/<connection>/<project>.json`. */
async function statePath(flags: DeployFlags, project: string): Promise<string> {
  if (flags.state !== undefined) return flags.state;
  const { defectkitHome } = await import('@defectkit/core/node');
  const { join } = await import('node:path');
  return join(defectkitHome(), 'deployments', flags.connection ?? 'default', `${project}.json`);
}

async function readState(file: string, project: string) {
  const { readFile } = await import('node:fs/promises');
  const { emptyDeployState, deployStateProblem, DeployStateError } = await import('@defectkit/notebooks');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DeployStateError(`${file}: not JSON`, { file });
  }
  const problem = deployStateProblem(value, project);
  if (problem !== null) throw new DeployStateError(`${file}: ${problem.message}`, { file, field: problem.field });
  return value as ReturnType<typeof emptyDeployState>;
}

function printOutcomes(outcomes: readonly { kind: string; name: string; status: string; detail?: string }[], json: boolean, extra: Record<string, unknown>): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...extra, steps: outcomes }, null, 2)}\n`);
    return;
  }
  for (const o of outcomes) process.stdout.write(`${o.status.padEnd(11)} ${o.kind} ${o.name}${o.detail ? `  (${o.detail})` : ''}\n`);
  const unsupported = outcomes.filter((o) => o.status === 'unsupported');
  if (unsupported.length > 0) {
    process.stdout.write(`\n${unsupported.length} step(s) NOT run: snowflake-local does not implement ${[...new Set(unsupported.map((o) => o.kind))].join(', ')}; a real account runs them.\n`);
  }
}

/** Registers `defectkit snowflake deploy` and `defectkit snowflake clean` under the `snowflake` command. */
export function registerSnowflakeDeploy(snowflake: Command): void {
  const env = [ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys, ['DEFECTKIT_HOME', 'where deploy records what it created (deployments/<connection>/<project>.json; default ~/.defectkit)'] as const];
  addRecipeOptions(snowflake.command('deploy'))
    .description('Create a recipe project in an account (role, database, stage, warehouse, GPU pool, network rule, integration, grants), upload its code (and --data), create the notebook and --app apps. Idempotent; --dry-run prints the SQL.')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit snowflake deploy --recipe pcb-detector --app vision-lab,dashboard --connection prod',
          'defectkit snowflake deploy --recipe classifier --app xray --cloud azure --dry-run',
          'defectkit snowflake deploy --recipe pcb-detector --data data/pcb-yolo --connection local',
        ],
        env,
      ),
    )
    .option('--app <names>', 'apps to deploy beside the notebook: vision-lab, dashboard, xray (comma-separated or repeated)', collect)
    .option('--connection <name>', 'a connection from connections.toml (default: the default connection)')
    .option('--data <dir>', 'a local dataset folder to upload to the project dataset stage path (images, labels, data.yaml)')
    .option('--data-format <format>', 'format of --data: yolo, deeppcb, voc or coco', 'yolo')
    .option('--log-database <DB>', 'database of the inspection log the apps read (default the project database)')
    .option('--log-schema <SCHEMA>', 'schema of the inspection log (default the project schema)')
    .option('--model-version <V>', 'model version the apps call (default: the default version)')
    .option('--state <file>', 'the deploy record (default $DEFECTKIT_HOME/deployments/<connection>/<project>.json)')
    .option('--dry-run', 'print the SQL deploy would run, in order, and connect to nothing')
    .option('--json', 'print the outcome of every step as JSON')
    .action(async (flags: DeployFlags) => {
      const nb = await import('@defectkit/notebooks');
      const recipe = recipeOptions(flags);
      const project = nb.renderProject(recipe, await nb.loadRecipeTemplates([recipe.recipe]));
      const apps = [];
      for (const app of flags.app ?? []) {
        apps.push(
          nb.renderApp(
            {
              app: app as never,
              project: recipe,
              ...(flags.modelVersion === undefined ? {} : { modelVersion: flags.modelVersion }),
              ...(flags.logDatabase === undefined ? {} : { logDatabase: flags.logDatabase }),
              ...(flags.logSchema === undefined ? {} : { logSchema: flags.logSchema }),
            },
            await nb.loadAppTemplates([app as never]),
          ),
        );
      }
      const { LOG_TABLES, VIEW_NAMES, snowflakeSetupSql } = await import('@defectkit/inspection');
      const plan = nb.deployPlan(project, {
        apps,
        ...(flags.data === undefined ? {} : { data: { dir: flags.data, format: flags.dataFormat } }),
        inspectionLog: { tables: LOG_TABLES.map((t) => t.name), views: VIEW_NAMES, setupSql: snowflakeSetupSql },
      });
      if (flags.dryRun) {
        process.stdout.write(`${nb.planSql(plan).map((s) => (s.startsWith('--') ? s : `${s};`)).join('\n')}\n`);
        return;
      }
      const { SnowflakeSession, fileUrlSql, uploadDataset } = await import('@defectkit/snowflake');
      const { writeFileAtomic } = await import('@defectkit/core/node');
      const file = await statePath(flags, project.options.name);
      const state = (await readState(file, project.options.name)) ?? nb.emptyDeployState(project.options.name);
      const session = await SnowflakeSession.connect(flags.connection === undefined ? {} : { connection: flags.connection });
      try {
        const emulator = String((await session.execute('SELECT CURRENT_ACCOUNT() AS A'))[0]?.A ?? '') === 'SNOWFLAKE_LOCAL';
        const outcomes = await nb.runDeploy(
          plan,
          {
            execute: (sql) => session.execute(sql),
            put: async (local, target, name) => {
              await session.execute(nb.putSql(fileUrlSql(local), target, name));
            },
          },
          {
            emulator,
            state,
            save: (s) => writeFileAtomic(file, `${JSON.stringify(s, null, 2)}\n`),
            callbacks: {
              dataset: async (step) => {
                const r = await uploadDataset(session, { dir: step.dir, format: step.format as never, stage: step.target, table: step.table.name });
                return `${r.uploaded} uploaded, ${r.skipped} already there, ${r.rows} label rows`;
              },
              inspectionLog: async (step) => {
                const { openSnowflakeInspectionStore } = await import('@defectkit/inspection');
                const store = await openSnowflakeInspectionStore({ session, database: step.database, schema: step.schema, setup: true });
                await store.close();
              },
            },
          },
        );
        printOutcomes(outcomes, flags.json ?? false, { project: project.options.name, emulator, state: file });
      } finally {
        await session.close();
      }
    });

  addRecipeOptions(snowflake.command('clean'))
    .description('Remove what `snowflake deploy` created for the project (and only that: objects that existed before are kept). Idempotent; --dry-run prints the SQL.')
    .addHelpText('after', helpFooter(['defectkit snowflake clean --recipe pcb-detector --connection prod', 'defectkit snowflake clean --recipe classifier --connection local --dry-run'], env))
    .option('--connection <name>', 'a connection from connections.toml (default: the default connection)')
    .option('--state <file>', 'the deploy record (default $DEFECTKIT_HOME/deployments/<connection>/<project>.json)')
    .option('--dry-run', 'print the SQL clean would run and connect to nothing')
    .option('--json', 'print the outcome of every step as JSON')
    .action(async (flags: DeployFlags) => {
      const nb = await import('@defectkit/notebooks');
      const { name } = nb.resolveOptions(recipeOptions(flags));
      const file = await statePath(flags, name);
      const state = await readState(file, name);
      if (state === null || (state.created.length === 0 && state.uploads.length === 0)) {
        process.stdout.write(`nothing to clean: no deploy of ${name} is recorded in ${file}\n`);
        return;
      }
      if (flags.dryRun) {
        const stages = new Set(state.created.filter((c) => c.kind === 'STAGE').map((c) => c.name));
        const sql = [...state.uploads.filter((u) => !stages.has(u.stage)).map((u) => `REMOVE ${u.target}/`), ...[...state.created].reverse().flatMap((c) => c.drop)];
        process.stdout.write(`${sql.map((s) => `${s};`).join('\n')}\n`);
        return;
      }
      const { SnowflakeSession, fileUrlSql } = await import('@defectkit/snowflake');
      const { writeFileAtomic } = await import('@defectkit/core/node');
      const { rm } = await import('node:fs/promises');
      const session = await SnowflakeSession.connect(flags.connection === undefined ? {} : { connection: flags.connection });
      try {
        const emulator = String((await session.execute('SELECT CURRENT_ACCOUNT() AS A'))[0]?.A ?? '') === 'SNOWFLAKE_LOCAL';
        const outcomes = await nb.runClean(
          { execute: (sql) => session.execute(sql), put: async (local, target, f) => void (await session.execute(nb.putSql(fileUrlSql(local), target, f))) },
          { emulator, state, save: (s) => writeFileAtomic(file, `${JSON.stringify(s, null, 2)}\n`) },
        );
        await rm(file, { force: true });
        printOutcomes(outcomes, flags.json ?? false, { project: name, emulator, state: file });
      } finally {
        await session.close();
      }
    });
}
