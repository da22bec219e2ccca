import { extname } from 'node:path';

/** What an output wants to be called: its short name, and a longer one that tells it apart from namesakes. */
export interface NameChoice {
  /** The usual name, e.g. `00041000.txt`. */
  preferred: string;
  /** A more specific name used when the preferred one is shared, e.g. `group00041__00041000.txt`. */
  specific: string;
}

/**
 * Gives every output a name no other output in the same folder has, compared case-insensitively (as macOS and
 * Windows file systems do), deterministically: an item keeps its preferred name when no other item wants it;
 * items sharing a preferred name take their specific names; a name still taken then gets `-2`, `-3`, ...
 * before its extension. So same-named images from different folders never overwrite each other's outputs.
 *
 * @example uniqueNames([{ preferred: 'a.txt', specific: 'x__a.txt' }, { preferred: 'a.txt', specific: 'y__a.txt' }]); // ['x__a.txt', 'y__a.txt']
 */
export function uniqueNames(items: readonly NameChoice[]): string[] {
  const fold = (name: string): string => name.toLowerCase();
  const wanted = new Map<string, number>();
  for (const item of items) wanted.set(fold(item.preferred), (wanted.get(fold(item.preferred)) ?? 0) + 1);
  const first = items.map((item) => (wanted.get(fold(item.preferred))! > 1 ? item.specific : item.preferred));
  // Names kept on the first pass are reserved before any suffix is handed out, so a suffix never steals one.
  const counts = new Map<string, number>();
  for (const name of first) counts.set(fold(name), (counts.get(fold(name)) ?? 0) + 1);
  const taken = new Set(first.filter((name) => counts.get(fold(name)) === 1).map(fold));
  return first.map((name) => {
    if (counts.get(fold(name)) === 1) return name;
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let candidate = name;
    for (let n = 2; taken.has(fold(candidate)); n++) candidate = `${stem}-${n}${ext}`;
    taken.add(fold(candidate));
    return candidate;
  });
}
