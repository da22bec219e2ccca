export { temporarySibling, writeFileAtomic, writeFileAtomicSync, writeFolderAtomically, type AtomicFileOptions, type AtomicFolderOptions } from './atomic-output.js';
export { canonicalPath, assertOutputsApart } from './output-overlap.js';
export { uniqueNames, type NameChoice } from './unique-names.js';
export { FileSystemError, OutputOverlapError, asTypedError, fileSystemError, isErrnoError, type FileSystemErrorCode } from './errors.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_INFLATED_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, HttpGuardError, createHttpGuard, sendJson, sendRefusal, type HttpGuard, type HttpGuardLimits } from './http-guard.js';
export { defectkitCacheDir, defectkitHome } from './defectkit-home.js';
