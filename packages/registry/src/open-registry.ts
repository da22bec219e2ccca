import { matchSnowflakeTarget } from '@defectkit/snowflake';
import { RegistryError } from './errors.js';
import { LocalRegistry } from './local/local-registry.js';
import type { Registry } from './registry-types.js';
import { SnowflakeRegistry } from './snowflake/snowflake-registry.js';

/** A parsed `--registry` value: `local`, `snowflake` or `snowflake:<connection>`. */
export type RegistrySpec = { kind: 'local' } | { kind: 'snowflake'; connection?: string };

/** Parses `local`, `snowflake` or `snowflake:<connection name>`; throws `REGISTRY_SPEC` otherwise. */
export function parseRegistrySpec(text: string | undefined): RegistrySpec {
  if (text === undefined || text === 'local') return { kind: 'local' };
  const target = matchSnowflakeTarget(text);
  if (target !== null) return { kind: 'snowflake', ...target };
  throw new RegistryError('REGISTRY_SPEC', `a registry must be local, snowflake or snowflake:<connection>, got ${JSON.stringify(text)}`, { field: 'registry', value: text });
}

/** Options of {@link openRegistry}. */
export interface OpenRegistryOptions {
  /** The local registry folder (default `~/.defectkit/registry`). */
  registryDir?: string;
  /** Where to send configuration warnings (default: stderr). */
  warn?: (message: string) => void;
}

/**
 * Opens the registry a `--registry` value names: the local folder, or the Snowflake Model Registry of the
 * default or named connection (database and schema from the connection).
 */
export async function openRegistry(spec: RegistrySpec, options: OpenRegistryOptions = {}): Promise<Registry> {
  if (spec.kind === 'local') return new LocalRegistry(options.registryDir === undefined ? {} : { dir: options.registryDir });
  return SnowflakeRegistry.connect({
    ...(spec.connection === undefined ? {} : { connection: spec.connection }),
    warn: options.warn ?? ((message) => process.stderr.write(`defectkit: warning: ${message}\n`)),
  });
}
