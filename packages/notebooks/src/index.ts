export { NotebookOptionsError, NotebookOutputExistsError, NotebookTemplateError } from './errors.js';
export {
  RECIPE_NAMES,
  RCNN_BACKBONES,
  CLASSIFIER_ARCHS,
  ULTRALYTICS_WEIGHTS,
  resolveOptions,
  stageOut,
  registryModelName,
  type RecipeName,
  type EmitOptions,
  type ResolvedOptions,
  type SnowflakeNames,
} from './options.js';
export { renderProject, type EmittedFile, type EmittedProject, type RecipeTemplates } from './emit-project.js';
export { buildNotebook, splitScript, type Notebook, type NotebookCell, type ScriptCell } from './ipynb.js';
export { recipeConfig, renderScript, RECIPE_VERSION } from './recipe-config.js';
export { setupSql, teardownSql } from './snowflake-sql.js';
export { splitSqlStatements } from './sql-statements.js';
export { snowflakeYml, environmentYml, projectReadme } from './project-files.js';
export {
  emitRegistryPackage,
  handlerDependencies,
  registryPackageHandlerPath,
  registryPackageModelPath,
  type RegistryPackageFile,
  type RegistryPackageOptions,
} from './registry-handler/index.js';
// Node-only (reads templates, writes folders); also on the `/node` subpath. The package is not browser-safe.
export { emitNotebookProject, handlerPath, HANDLER_FILE, loadRecipeTemplates, readHandlerSource, templatesDir, writeProjectFiles, type EmitProjectToFolderOptions } from './node/index.js';
