import { assertOutputsApart } from '@defectkit/core/node';
import { renderProject, type EmittedProject } from '../emit-project.js';
import { resolveOptions, type EmitOptions } from '../options.js';
import { loadRecipeTemplates } from './recipe-templates.js';
import { writeProjectFiles } from './write-project.js';

/** Options of {@link emitNotebookProject}: the recipe options plus where to write. */
export interface EmitProjectToFolderOptions extends EmitOptions {
  /** Output folder; refused when it exists and is not empty, unless `overwrite`, and when it overlaps a local `dataset`. */
  out: string;
  overwrite?: boolean;
}

/**
 * Emits a recipe's training project into a folder (atomically).
 *
 * @example
 * await emitNotebookProject({ recipe: 'faster-rcnn', out: 'frcnn-project', gpus: 4, backbone: 'resnet50_fpn' });
 */
export async function emitNotebookProject(options: EmitProjectToFolderOptions): Promise<EmittedProject & { dir: string }> {
  const { out, overwrite, ...emit } = options;
  const { recipe } = resolveOptions(emit); // validates before any file is read
  // A local dataset folder is an input: the project must not replace it or land inside it (stage paths start with @).
  if (emit.dataset !== undefined && !emit.dataset.startsWith('@')) await assertOutputsApart([out], [emit.dataset]);
  const project = renderProject(emit, await loadRecipeTemplates([recipe]));
  const dir = await writeProjectFiles(out, project.files, overwrite ?? false);
  return { ...project, dir };
}
