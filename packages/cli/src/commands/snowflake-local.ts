import type { Command } from 'commander';

interface SnowflakeLocalFlags {
  port: string;
  dir?: string;
  user?: string;
  password?: string;
  passwordFile?: string;
}

/** Environment variable that may carry the password, so it never appears in `ps`. */
const PASSWORD_ENV = 'DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD';

/** Registers `defectkit snowflake-local`. */
export function registerSnowflakeLocal(program: Command): void {
  program
    .command('snowflake-local')
    .description('Run a local Snowflake-compatible server on DuckDB (127.0.0.1 only) that snowflake-sdk can connect to.')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--dir <data dir>', 'keep databases, stages and models in this folder (default: in memory)')
    .option('--user <name>', 'login name (default: defectkit)')
    .option('--password <secret>', 'password (default: defectkit); also accepted as a programmatic access token')
    .option('--password-file <file>', `read the password from a file (first line); or set ${PASSWORD_ENV}. Neither shows in ps`)
    .action(async (flags: SnowflakeLocalFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) {
        throw new InvalidArgumentError('INVALID_OPTION', `--port must be an integer 0-65535 (got "${flags.port}")`, { field: 'port', value: flags.port });
      }
      const password = await readPassword(flags);
      if (flags.user !== undefined && password === undefined) {
        throw new InvalidArgumentError('INVALID_OPTION', `--user needs a password: --password-file, ${PASSWORD_ENV} or --password`, { field: 'password' });
      }
      const { startSnowflakeLocal } = await import('@defectkit/snowflake-local');
      const server = await startSnowflakeLocal({
        port,
        ...(flags.dir !== undefined ? { dir: flags.dir } : {}),
        // A password without --user is the default login's.
        ...(password !== undefined ? { users: { [flags.user ?? 'defectkit']: password } } : {}),
      });
      // The password is never printed: the caller gave it, or it is the documented default.
      const { password: _secret, ...printable } = server.connectionOptions;
      process.stdout.write(`listening ${server.url}\n${JSON.stringify(printable)}\n`);
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

/** The password from exactly one of --password-file, the environment variable or --password; undefined when none. */
async function readPassword(flags: SnowflakeLocalFlags): Promise<string | undefined> {
  const { InvalidArgumentError } = await import('@defectkit/core');
  const fromEnv = process.env[PASSWORD_ENV];
  const sources = [flags.passwordFile !== undefined, fromEnv !== undefined && fromEnv !== '', flags.password !== undefined].filter(Boolean).length;
  if (sources > 1) {
    throw new InvalidArgumentError('INVALID_OPTION', `give the password one way: --password-file, ${PASSWORD_ENV} or --password`, { field: 'password' });
  }
  if (flags.passwordFile !== undefined) {
    const { readFileSync } = await import('node:fs');
    let text: string;
    try {
      text = readFileSync(flags.passwordFile, 'utf8');
    } catch (cause) {
      throw new InvalidArgumentError('INVALID_OPTION', `--password-file ${flags.passwordFile}: ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`, { field: 'password-file', file: flags.passwordFile }, { cause });
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new InvalidArgumentError('INVALID_OPTION', `--password-file ${flags.passwordFile}: the first line is empty`, { field: 'password-file', file: flags.passwordFile });
    return line;
  }
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return flags.password;
}
