import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';

interface AppEmitFlags {
  app: string;
  out: string;
  recipe?: string;
  name?: string;
  model?: string;
  modelVersion?: string;
  logDatabase?: string;
  logSchema?: string;
  overwrite?: boolean;
  json?: boolean;
}

/** Registers `defectkit app`: Streamlit-in-Snowflake apps (Vision Lab, the inspection dashboard, the X-ray app). */
export function registerApp(program: Command): void {
  const app = program
    .command('app')
    .description('Streamlit in Snowflake apps: vision-lab (inspect and review boards), dashboard (yield, Pareto, line heatmap, false calls, Cortex Analyst), xray (classifier)')
    .addHelpText('after', helpFooter(['defectkit app emit --app dashboard --out dashboard-app', 'defectkit app emit --app vision-lab --out vision-lab --name pcb-defects'], []));
  app
    .command('emit')
    .description('Write an app folder: streamlit_app.py, pages/, environment.yml, snowflake.yml (for snow streamlit deploy), README.md')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit app emit --app dashboard --out dashboard-app',
          'defectkit app emit --app vision-lab --out vision-lab --name pcb-defects --model-version V1',
          'defectkit app emit --app xray --out xray-app --log-database DEFECTKIT_XRAY_PNEUMONIA',
        ],
        [],
      ),
    )
    .requiredOption('--app <name>', 'vision-lab, dashboard or xray')
    .requiredOption('--out <dir>', 'output folder (must be absent or empty unless --overwrite)')
    .option('--recipe <name>', 'the recipe project the app belongs to (default: pcb-detector, or classifier for xray)')
    .option('--name <name>', 'the project (model) name, which names its database, schema and registry model')
    .option('--model <MODEL>', 'registry model name (default the project name in upper snake case)')
    .option('--model-version <V>', 'model version or alias (default: the default version)')
    .option('--log-database <DB>', 'database of the inspection log (default the project database)')
    .option('--log-schema <SCHEMA>', 'schema of the inspection log (default the project schema)')
    .option('--overwrite', 'replace a non-empty output folder')
    .option('--json', 'print the emitted files and resolved options as JSON')
    .action(async (flags: AppEmitFlags) => {
      const { APP_RECIPE, emitApp } = await import('@defectkit/notebooks');
      const recipe = (flags.recipe ?? APP_RECIPE[flags.app as keyof typeof APP_RECIPE] ?? 'pcb-detector') as never;
      const result = await emitApp({
        app: flags.app as never,
        out: flags.out,
        overwrite: flags.overwrite ?? false,
        project: { recipe, ...(flags.name === undefined ? {} : { name: flags.name }) },
        ...(flags.model === undefined ? {} : { model: flags.model }),
        ...(flags.modelVersion === undefined ? {} : { modelVersion: flags.modelVersion }),
        ...(flags.logDatabase === undefined ? {} : { logDatabase: flags.logDatabase }),
        ...(flags.logSchema === undefined ? {} : { logSchema: flags.logSchema }),
      });
      if (flags.json) {
        const { project, ...options } = result.options;
        process.stdout.write(`${JSON.stringify({ dir: result.dir, options: { ...options, database: project.snowflake.database, schema: project.snowflake.schema }, files: result.files.map((f) => f.path) }, null, 2)}\n`);
        return;
      }
      const lines = [`emitted ${result.options.app} app -> ${result.dir}`, ...result.files.map((f) => `  ${f.path}`)];
      lines.push(`deploy: defectkit snowflake deploy --recipe ${result.options.project.recipe} --app ${result.options.app} --connection <name>`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
