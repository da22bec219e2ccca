export { emitNotebookProject, type EmitProjectToFolderOptions } from './emit-notebook-project.js';
export { loadRecipeTemplates, templatesDir } from './recipe-templates.js';
export { writeProjectFiles } from './write-project.js';
export { HANDLER_FILE, handlerPath, readHandlerSource } from './handler-source.js';
