import type { Command } from 'commander';
import { helpFooter } from '../help-examples.js';
import { numberOption } from '../option-parsers.js';
import { untilInterrupted } from '../until-interrupted.js';

interface SnowflakeLocalFlags {
  port: number;
  dir?: string;
  user?: string;
  password?: string;
  passwordFile?: string;
  writeConnection?: string;
}

/** Environment variable that may carry the password, so it never appears in `ps`. */
const PASSWORD_ENV = 'DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD';

/** Registers `defectkit snowflake-local`. */
export function registerSnowflakeLocal(program: Command): void {
  program
    .command('snowflake-local')
    .description('Run a local Snowflake-compatible server on DuckDB (127.0.0.1 only) that snowflake-sdk can connect to.')
    .addHelpText(
      'after',
      helpFooter(
        [
          'defectkit snowflake-local',
          'defectkit snowflake-local --dir .defectkit/snowflake-local --write-connection local &',
          'DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD=s3cret defectkit snowflake-local --port 8787 --user alice',
        ],
        [['DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD', 'the login password (not shown in ps); default login defectkit / defectkit'], ['SNOWFLAKE_HOME', 'where --write-connection adds the connection: connections.toml (default ~/.snowflake)'], ['DEFECTKIT_PYTHON311, DEFECTKIT_WHEELS', 'the CPython 3.11 and wheel folder that run logged model handlers'], ['DEFECTKIT_CACHE_DIR, DEFECTKIT_HANDLER_TIMEOUT_MS', 'where the handler venv is kept; how long one handler call may take']],
      ),
    )
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', numberOption('port', { min: 0, max: 65535, integer: true, expected: 'an integer 0-65535' }), 0)
    .option('--dir <data dir>', 'keep databases, stages and models in this folder (default: in memory)')
    .option('--user <name>', 'login name (default: defectkit)')
    .option('--password <secret>', 'password (default: defectkit); also accepted as a programmatic access token')
    .option('--password-file <file>', `read the password from a file (first line); or set ${PASSWORD_ENV}. Neither shows in ps`)
    .option('--write-connection <name>', 'once listening, add connection <name> (database DEFECTKIT, schema PUBLIC, created) to $SNOWFLAKE_HOME/connections.toml, so `--registry snowflake:<name>` and `--log snowflake:<name>` reach this server')
    .action(async (flags: SnowflakeLocalFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const port = flags.port;
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
      if (flags.writeConnection !== undefined) {
        const { writeConnection, SnowflakeSession } = await import('@defectkit/snowflake');
        const file = await writeConnection(flags.writeConnection, {
          account: server.connectionOptions.account,
          user: server.connectionOptions.username,
          password: server.connectionOptions.password,
          host: '127.0.0.1',
          port: server.port,
          protocol: 'http',
          database: 'DEFECTKIT',
          schema: 'PUBLIC',
        });
        const session = await SnowflakeSession.connect({ connection: flags.writeConnection });
        try {
          await session.execute('CREATE DATABASE IF NOT EXISTS DEFECTKIT'); // with its PUBLIC schema
        } finally {
          await session.close();
        }
        process.stdout.write(`connection ${flags.writeConnection} written to ${file} (database DEFECTKIT, schema PUBLIC)\n`);
      }
      // Serve until interrupted; closing flushes DuckDB so a --dir survives the restart.
      await untilInterrupted();
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
