import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { templatesDir } from './recipe-templates.js';

/** The file name of the one DefectKit model handler, in `templates/` and beside each emitted `train.py`. */
export const HANDLER_FILE = 'defectkit_handler.py';

/** The path of `templates/defectkit_handler.py`, the Python handler every registry package and recipe ships. */
export function handlerPath(): string {
  return join(templatesDir(), HANDLER_FILE);
}

/** The text of the handler (what `emitRegistryPackage` writes as `functions/predict.py`). */
export async function readHandlerSource(): Promise<string> {
  return readFile(handlerPath(), 'utf8');
}
