import type { Command } from 'commander';

interface SnowflakeLocalFlags {
  port: string;
  dir?: string;
  user?: string;
  password?: string;
}

/** Registers `defectkit snowflake-local`. */
export function registerSnowflakeLocal(program: Command): void {
  program
    .command('snowflake-local')
    .description('Run a local Snowflake-compatible server on DuckDB (127.0.0.1 only) that snowflake-sdk can connect to.')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--dir <data dir>', 'keep databases, stages and models in this folder (default: in memory)')
    .option('--user <name>', 'login name (default: defectkit)')
    .option('--password <secret>', 'password (default: defectkit); also accepted as a programmatic access token')
    .action(async (flags: SnowflakeLocalFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) {
        throw new InvalidArgumentError('INVALID_OPTION', `--port must be an integer 0-65535 (got "${flags.port}")`, { field: 'port', value: flags.port });
      }
      if ((flags.user === undefined) !== (flags.password === undefined)) {
        throw new InvalidArgumentError('INVALID_OPTION', '--user and --password go together', { field: flags.user === undefined ? 'user' : 'password' });
      }
      const { startSnowflakeLocal } = await import('@defectkit/snowflake-local');
      const server = await startSnowflakeLocal({
        port,
        ...(flags.dir !== undefined ? { dir: flags.dir } : {}),
        ...(flags.user !== undefined ? { users: { [flags.user]: flags.password! } } : {}),
      });
      process.stdout.write(`listening ${server.url}\n${JSON.stringify(server.connectionOptions)}\n`);
      // Serve until interrupted; closing flushes DuckDB so a --dir survives the restart.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
