import { DefectKitError, type ErrorDetails } from '../errors.js';

/** The codes a {@link FileSystemError} carries, one per kind of operating-system failure. */
export type FileSystemErrorCode =
  | 'DISK_FULL'
  | 'FILE_ACCESS_DENIED'
  | 'FILE_BUSY'
  | 'FILE_EXISTS'
  | 'FILE_IO'
  | 'FILE_NOT_FOUND'
  | 'IS_A_FOLDER'
  | 'NOT_A_FOLDER'
  | 'PATH_TOO_LONG'
  | 'READ_ONLY_FILE_SYSTEM'
  | 'SYMLINK_LOOP'
  | 'TOO_MANY_OPEN_FILES';

/**
 * A file or folder operation failed for an operating-system reason (full disk, no permission, a file where a
 * folder should be, ...). `details` carry `file`, `operation` (what was being done) and `errno` (`ENOSPC`, ...).
 */
export class FileSystemError extends DefectKitError<FileSystemErrorCode> {}

/** An output is, contains or lies inside an input (`OUTPUT_OVERLAPS_INPUT`); `details` name both paths. */
export class OutputOverlapError extends DefectKitError<'OUTPUT_OVERLAPS_INPUT'> {
  constructor(output: string, input: string, how: 'is' | 'contains' | 'is inside', details: ErrorDetails = {}) {
    super('OUTPUT_OVERLAPS_INPUT', `the output ${output} ${how} the input ${input}: refusing to write over an input`, { output, input, ...details });
  }
}

const BY_ERRNO: Readonly<Record<string, { code: FileSystemErrorCode; why: string }>> = {
  ENOSPC: { code: 'DISK_FULL', why: 'no space left on the device' },
  EDQUOT: { code: 'DISK_FULL', why: 'the disk quota is exceeded' },
  EACCES: { code: 'FILE_ACCESS_DENIED', why: 'permission denied' },
  EPERM: { code: 'FILE_ACCESS_DENIED', why: 'operation not permitted' },
  EBUSY: { code: 'FILE_BUSY', why: 'the file or folder is busy' },
  ETXTBSY: { code: 'FILE_BUSY', why: 'the file is busy' },
  EEXIST: { code: 'FILE_EXISTS', why: 'it already exists' },
  ENOTEMPTY: { code: 'FILE_EXISTS', why: 'the folder is not empty' },
  ENOENT: { code: 'FILE_NOT_FOUND', why: 'no such file or folder' },
  EISDIR: { code: 'IS_A_FOLDER', why: 'it is a folder, not a file' },
  ENOTDIR: { code: 'NOT_A_FOLDER', why: 'a part of the path is a file, not a folder' },
  ENAMETOOLONG: { code: 'PATH_TOO_LONG', why: 'the path or a name in it is too long' },
  EROFS: { code: 'READ_ONLY_FILE_SYSTEM', why: 'the file system is read-only' },
  ELOOP: { code: 'SYMLINK_LOOP', why: 'too many levels of symbolic links' },
  EMFILE: { code: 'TOO_MANY_OPEN_FILES', why: 'too many open files in this process' },
  ENFILE: { code: 'TOO_MANY_OPEN_FILES', why: 'too many open files in the system' },
};

/** True for an operating-system error from `node:fs` (one with an errno `code` such as `ENOENT`) that is not already typed. */
export function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !DefectKitError.isInstance(error) && /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code!);
}

/**
 * Turns an error from `node:fs` into a typed {@link FileSystemError} naming `file` and the `operation` (e.g.
 * `'write'`, `'read'`, `'create folder'`). DefectKit errors pass through unchanged, so wrapping twice is harmless;
 * anything without an errno code becomes `FILE_IO` with the original as `cause`.
 *
 * @example
 * try { await writeFile(path, text); } catch (error) { throw fileSystemError(error, path, 'write'); }
 */
export function fileSystemError(error: unknown, file: string, operation: string): DefectKitError {
  if (DefectKitError.isInstance(error)) return error;
  const errno = typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string' ? (error as NodeJS.ErrnoException).code! : undefined;
  const known = errno === undefined ? undefined : BY_ERRNO[errno];
  const code: FileSystemErrorCode = known?.code ?? 'FILE_IO';
  const why = known?.why ?? (error instanceof Error ? error.message : String(error));
  return new FileSystemError(code, `cannot ${operation} ${file}: ${why}${errno && !known ? ` (${errno})` : ''}`, { file, operation, ...(errno ? { errno } : {}) }, { cause: error });
}

/**
 * Any thrown value as a typed error, for the last handler before a user sees it: DefectKit errors as they are, raw
 * operating-system errors (`ENOSPC`, `EACCES`, ...) as {@link FileSystemError}s naming their path, anything else
 * (a bug) as `INTERNAL` with its message and the original as `cause`, so no bare stack trace reaches a user.
 *
 * @example catch (error) { const typed = asTypedError(error); console.error(`${typed.code}: ${typed.message}`); }
 */
export function asTypedError(error: unknown): DefectKitError {
  if (DefectKitError.isInstance(error)) return error;
  if (isErrnoError(error)) return fileSystemError(error, error.path ?? (error as { dest?: string }).dest ?? '(a file)', error.syscall ?? 'access');
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DefectKitError('INTERNAL', `${message} (an internal error: please report it)`, {}, { cause: error });
}
