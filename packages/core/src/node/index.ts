export { writeFolderAtomically, type AtomicFolderOptions } from './atomic-output.js';
