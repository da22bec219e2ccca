/** The next automatic version name: `V<n+1>` after the highest `V<n>` already used (`V1` for a new model). */
export function nextVersionName(existing: readonly string[]): string {
  let highest = 0;
  for (const name of existing) {
    const match = /^V(\d+)$/.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return `V${highest + 1}`;
}

/**
 * Snowflake's built-in aliases `DEFAULT`, `FIRST` and `LAST`: the version they point at, null when the model
 * has no such version, undefined when `alias` is not built in.
 */
export function resolveBuiltinAlias(alias: string, versions: readonly string[], defaultVersion: string | null): string | null | undefined {
  switch (alias) {
    case 'DEFAULT':
      return defaultVersion;
    case 'FIRST':
      return versions[0] ?? null;
    case 'LAST':
      return versions.at(-1) ?? null;
    default:
      return undefined;
  }
}
