import type { Command } from 'commander';
import { ENV, helpFooter } from '../help-examples.js';
import { choiceOption } from '../option-parsers.js';
import type { Registry } from '@defectkit/registry';

interface CommonFlags {
  registry?: string;
  registryDir?: string;
  json?: boolean;
}

function withCommon(command: Command): Command {
  return command
    .option('--registry <where>', 'local (default), snowflake, or snowflake:<connection> from connections.toml', 'local')
    .option('--registry-dir <dir>', 'the local registry folder (default ~/.defectkit/registry)')
    .option('--json', 'print JSON');
}

async function open(flags: CommonFlags): Promise<Registry> {
  const { openRegistry, parseRegistrySpec } = await import('@defectkit/registry');
  return openRegistry(parseRegistrySpec(flags.registry), flags.registryDir === undefined ? {} : { registryDir: flags.registryDir });
}

/** Opens the registry, runs `action`, always closes it. */
async function using<T>(flags: CommonFlags, action: (registry: Registry) => Promise<T>): Promise<T> {
  const registry = await open(flags);
  try {
    return await action(registry);
  } finally {
    await registry.close();
  }
}

function print(flags: CommonFlags, json: unknown, text: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

/** Registers `defectkit registry`. */
export function registerRegistry(program: Command): void {
  const registry = program.command('registry').description('Log, list, export and run models in the local registry or the Snowflake Model Registry.')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry log models/pcb-defects --name PCB_DEFECTS',
          'defectkit registry list --json',
          'defectkit registry predict PCB_DEFECTS board.jpg --registry snowflake:local',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    );

  withCommon(registry.command('log').description('Log a model folder (model.onnx + model.json) as a new version.'))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry log models/pcb-defects --name PCB_DEFECTS',
          "defectkit registry log models/pcb-defects-frcnn --name PCB_FRCNN --comment 'tiny backbone'",
          'defectkit registry log models/pcb-defects --name PCB_DEFECTS --registry snowflake:local',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<model-dir>', 'the model folder')
    .requiredOption('--name <NAME>', 'the model name (letters, digits, _ and $; stored upper case)')
    .option('--version <V>', 'the version name (default V<n+1>)')
    .option('--comment <text>', 'a comment on the version')
    .action(async (dir: string, flags: CommonFlags & { name: string; version?: string; comment?: string }) => {
      await using(flags, async (reg) => {
        const version = await reg.logModel(dir, { name: flags.name, ...(flags.version ? { version: flags.version } : {}), ...(flags.comment ? { comment: flags.comment } : {}) });
        print(flags, { model: version.modelName, version: version.name, registry: reg.kind }, `logged ${version.modelName} ${version.name} (${reg.kind})`);
      });
    });

  withCommon(registry.command('list').description('List the models with their versions and default.'))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry list',
          'defectkit registry list --registry snowflake:local --json',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .action(async (flags: CommonFlags) => {
    await using(flags, async (reg) => {
      const models = await reg.models();
      print(flags, models, models.length === 0 ? 'no models' : models.map((m) => `${m.name}  versions: ${m.versions.join(', ')}  default: ${m.default ?? '-'}`).join('\n'));
    });
  });

  withCommon(registry.command('versions').description("List a model's versions."))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry versions PCB_DEFECTS',
          'defectkit registry versions PCB_DEFECTS --registry snowflake:local --json',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .action(async (name: string, flags: CommonFlags) => {
      await using(flags, async (reg) => {
        const versions = await (await reg.model(name)).versions();
        const lines = versions.map((v) => `${v.name}${v.isDefault ? ' (default)' : ''}  ${v.createdOn}${v.aliases.length ? `  aliases: ${v.aliases.join(', ')}` : ''}${v.comment ? `  ${v.comment}` : ''}`);
        print(flags, versions, lines.join('\n'));
      });
    });

  withCommon(registry.command('show').description('Show a version (default: the default version): metrics, classes, comment, aliases.'))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry show PCB_DEFECTS',
          'defectkit registry show PCB_DEFECTS --version V1 --json',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .option('--version <V>', 'a version name or alias')
    .action(async (name: string, flags: CommonFlags & { version?: string }) => {
      await using(flags, async (reg) => {
        const model = await reg.model(name);
        const info = await (await model.version(flags.version ?? 'DEFAULT')).info();
        print(flags, info, JSON.stringify(info, null, 2));
      });
    });

  withCommon(registry.command('export').description("Download a version's files (model.onnx, model.json) into a new or empty folder."))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry export PCB_DEFECTS --out exported-model',
          'defectkit registry export PCB_DEFECTS --version V1 --registry snowflake:local --out v1',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .option('--version <V>', 'a version name or alias (default: the default version)')
    .requiredOption('--out <dir>', 'the target folder')
    .action(async (name: string, flags: CommonFlags & { version?: string; out: string }) => {
      await using(flags, async (reg) => {
        const version = await (await reg.model(name)).version(flags.version ?? 'DEFAULT');
        const files = await version.export(flags.out);
        print(flags, { model: version.modelName, version: version.name, files }, `exported ${version.modelName} ${version.name} to ${flags.out}: ${files.length} files`);
      });
    });

  withCommon(registry.command('delete').description('Delete a version, or the whole model when no version is given.'))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry delete PCB_DEFECTS --version V1',
          'defectkit registry delete PCB_DEFECTS',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .option('--version <V>', 'the version to delete')
    .action(async (name: string, flags: CommonFlags & { version?: string }) => {
      await using(flags, async (reg) => {
        await (await reg.model(name)).delete(flags.version);
        print(flags, { deleted: { model: name.toUpperCase(), version: flags.version?.toUpperCase() ?? null } }, `deleted ${name.toUpperCase()}${flags.version ? ` ${flags.version.toUpperCase()}` : ''}`);
      });
    });

  withCommon(registry.command('set-default').description("Set a model's default version."))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry set-default PCB_DEFECTS V2',
          'defectkit registry set-default PCB_DEFECTS V1 --registry snowflake:local',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .argument('<V>', 'the version name or alias')
    .action(async (name: string, version: string, flags: CommonFlags) => {
      await using(flags, async (reg) => {
        const model = await reg.model(name);
        await model.setDefault(version);
        const info = await model.info();
        print(flags, info, `default of ${info.name} is now ${info.default}`);
      });
    });

  withCommon(registry.command('predict').description('Run a registered version on images: remotely through MODEL(...)!PREDICT for a Snowflake registry, locally otherwise.'))
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit registry predict PCB_DEFECTS board.jpg',
          'defectkit registry predict PCB_DEFECTS a.jpg b.jpg --version V1 --registry snowflake:local',
        ],
        [ENV.home, ENV.snowflakeHome, ENV.snowflakeConnection, ENV.snowflakeKeys],
      ),
    )
    .argument('<NAME>', 'the model name')
    .argument('<images...>', 'image files')
    .option('--version <V>', 'a version name or alias (default: the default version)')
    .option('--format <format>', 'json (the same JSON as defectkit detect --format json)', choiceOption('format', ['json'] as const), 'json' as const)
    .action(async (name: string, images: string[], flags: CommonFlags & { version?: string; format: 'json' }) => {
      await using(flags, async (reg) => {
        const { formatJson } = await import('@defectkit/postprocess');
        const version = await (await reg.model(name)).version(flags.version ?? 'DEFAULT');
        const detector = await version.detector();
        try {
          const outcomes = await detector.detectBatch(images);
          let failed = 0;
          const results = [];
          for (const outcome of outcomes) {
            if (outcome.ok) results.push({ image: outcome.image, ...outcome.result });
            else {
              failed++;
              process.stderr.write(`defectkit: error ${outcome.error.code}: ${outcome.error.message}\n`);
            }
          }
          process.stdout.write(formatJson(results));
          if (failed > 0) process.exitCode = 1;
        } finally {
          await detector.dispose();
        }
      });
    });
}
