/** An environment variable a command reads, with what it changes. */
export type EnvironmentVariable = readonly [name: string, meaning: string];

/**
 * The end of a command's `--help` (pass it to `.addHelpText('after', ...)`): its examples (2 to 4 real command
 * lines) and the environment variables it reads, so a user can copy a working line and knows what the environment
 * changes.
 */
export function helpFooter(examples: readonly string[], environment: readonly EnvironmentVariable[] = []): string {
  const width = Math.max(0, ...environment.map(([name]) => name.length));
  const lines = ['', 'Examples:', ...examples.map((e) => `  $ ${e}`), '', 'Environment:'];
  if (environment.length === 0) lines.push('  (none read by this command)');
  else lines.push(...environment.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`));
  return lines.join('\n');
}

/** Variables several commands read. */
export const ENV = {
  model: ['DEFECTKIT_MODEL', 'model folder or .onnx used when --model is not given (default: the shipped @defectkit/model-pcb-defects)'],
  snowflakeHome: ['SNOWFLAKE_HOME', 'folder of connections.toml and config.toml (default ~/.snowflake)'],
  snowflakeConnection: ['SNOWFLAKE_DEFAULT_CONNECTION_NAME', 'the connection used when none is named'],
  snowflakeKeys: ['SNOWFLAKE_<KEY>', 'connection settings (ACCOUNT, USER, PASSWORD, ...; SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> for one connection) over connections.toml'],
  home: ['HOME', 'the local registry lives in ~/.defectkit/registry unless --registry-dir is given'],
  defectkitHome: ['DEFECTKIT_HOME', 'the folder of every default local path (default ~/.defectkit): the registry, the inspection log inspection.duckdb'],
  ortInstall: ['ONNXRUNTIME_NODE_INSTALL', "read by onnxruntime-node's install script, not at run time: cuda12 installs the CUDA provider --device cuda needs"],
} as const satisfies Record<string, EnvironmentVariable>;
