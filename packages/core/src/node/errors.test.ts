import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { FileSystemError, asTypedError, fileSystemError, isErrnoError } from './errors.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: raw message`), { code });

describe('fileSystemError', () => {
  it('maps each errno to a typed code naming the file and the operation', () => {
    const expected: Record<string, string> = {
      ENOSPC: 'DISK_FULL',
      EDQUOT: 'DISK_FULL',
      EACCES: 'FILE_ACCESS_DENIED',
      EPERM: 'FILE_ACCESS_DENIED',
      ENOENT: 'FILE_NOT_FOUND',
      ENOTDIR: 'NOT_A_FOLDER',
      EISDIR: 'IS_A_FOLDER',
      EROFS: 'READ_ONLY_FILE_SYSTEM',
      EEXIST: 'FILE_EXISTS',
      ENAMETOOLONG: 'PATH_TOO_LONG',
      ELOOP: 'SYMLINK_LOOP',
      EMFILE: 'TOO_MANY_OPEN_FILES',
      EBUSY: 'FILE_BUSY',
      EIO: 'FILE_IO',
    };
    for (const [code, typed] of Object.entries(expected)) {
      const error = fileSystemError(errno(code), '/out/r.json', 'write');
      expect(error).toBeInstanceOf(FileSystemError);
      expect(error).toMatchObject({ code: typed, details: { file: '/out/r.json', operation: 'write', errno: code } });
      expect(error.message).toMatch(/^cannot write \/out\/r\.json: /);
    }
  });

  it('passes typed errors through and types anything else as FILE_IO', () => {
    const typed = new InvalidArgumentError('INVALID_OPTION', 'x');
    expect(fileSystemError(typed, 'f', 'read')).toBe(typed);
    expect(fileSystemError('odd', 'f', 'read')).toMatchObject({ code: 'FILE_IO', details: { file: 'f' } });
    expect(isErrnoError(errno('ENOSPC'))).toBe(true);
    expect(isErrnoError(new TypeError('x'))).toBe(false);
    expect(isErrnoError(typed)).toBe(false);
  });

  it('types a real failure of node:fs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-fserr-'));
    try {
      await writeFile(join(dir, 'file'), 'x');
      const error = await readFile(join(dir, 'file', 'below')).catch((e: unknown) => fileSystemError(e, join(dir, 'file', 'below'), 'read'));
      expect(error).toMatchObject({ code: 'NOT_A_FOLDER', details: { errno: 'ENOTDIR' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('asTypedError', () => {
  it('keeps typed errors, types raw fs errors by their path, and wraps anything else as INTERNAL', () => {
    const typed = new InvalidArgumentError('INVALID_OPTION', 'x');
    expect(asTypedError(typed)).toBe(typed);
    const raw = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/out/a.json', syscall: 'write' });
    expect(asTypedError(raw)).toMatchObject({ code: 'DISK_FULL', details: { file: '/out/a.json', operation: 'write' } });
    const bug = new TypeError("Cannot read properties of undefined (reading 'toUpperCase')");
    const internal = asTypedError(bug);
    expect(internal).toMatchObject({ code: 'INTERNAL', cause: bug });
    expect(internal.message).toContain("TypeError: Cannot read properties of undefined (reading 'toUpperCase')");
    expect(asTypedError('a string')).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('a string') });
  });
});
