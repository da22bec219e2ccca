import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A file's SHA-256 (hex) and size in bytes. */
export interface FileDigest {
  /** The hex SHA-256 of the content. */
  sha256: string;
  /** The size in bytes. */
  size: number;
}

/** Streams a file through SHA-256 (models can be large, so never read whole into memory). */
export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
