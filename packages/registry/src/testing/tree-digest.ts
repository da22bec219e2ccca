// Test helper: a fingerprint of every entry under a folder (type, mode, size, content hash or link target),
// symbolic links not followed, so a test can prove that nothing outside an allowed folder changed.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** `relative path -> fingerprint` for `root` and everything below it, minus the paths `skip` accepts. */
export async function treeDigest(root: string, skip: (relativePath: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (skip(rel)) continue;
      const info = await lstat(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out[rel] = `link ${await readlink(path)}`;
      else if (info.isDirectory()) {
        out[rel] = `dir ${mode}`;
        await walk(path);
      } else out[rel] = `file ${mode} ${info.size} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
    }
  };
  await walk(root);
  return out;
}
