export { temporarySibling, writeFileAtomic, writeFolderAtomically, type AtomicFolderOptions } from './atomic-output.js';
export { canonicalPath, assertOutputsApart } from './output-overlap.js';
export { uniqueNames, type NameChoice } from './unique-names.js';
export { FileSystemError, OutputOverlapError, fileSystemError, isErrnoError, type FileSystemErrorCode } from './errors.js';
