export { DeployError, DeployStateError, NotebookOptionsError, NotebookOutputExistsError, NotebookTemplateError } from './errors.js';
export {
  RECIPE_NAMES,
  RCNN_BACKBONES,
  CLASSIFIER_ARCHS,
  ULTRALYTICS_WEIGHTS,
  resolveOptions,
  stageOut,
  registryModelName,
  defaultSnowflakeNames,
  PRETRAINED_SOURCES,
  type PretrainedSource,
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
export { CLOUDS, GPU_FAMILIES, gpuInstanceFamily, type Cloud, type GpuFamily } from './instance-families.js';
export { egressHosts } from './egress-hosts.js';
export { containerJobFiles, containerJobNames, jobSql, trainingLogTableSql, type ContainerJobNames } from './container-job.js';
export * from './apps/index.js';
export * from './deploy/index.js';
export { GOLDEN_QUESTION, inspectionSemanticModel, semanticModelYaml, verifiedQueryToSql, type LogLocation, type SemanticColumn, type SemanticMetric, type SemanticModel, type SemanticTable, type VerifiedQuery } from './cortex/semantic-model.js';
export { cortexSearchSql, type CortexSearchNames } from './cortex/cortex-search-sql.js';
export { snowflakeYml, environmentYml, projectReadme } from './project-files.js';
export * from './registry-handler/index.js';
// Node-only (reads templates, writes folders); also on the `/node` subpath. The package is not browser-safe.
export { emitApp, emitNotebookProject, handlerPath, HANDLER_FILE, isEmulatorRefusal, loadAppTemplates, loadRecipeTemplates, readHandlerSource, runClean, runDeploy, templatesDir, writeProjectFiles, type DeployCallbacks, type DeploySession, type EmitAppToFolderOptions, type EmitProjectToFolderOptions, type RunDeployOptions, type StepOutcome, type StepStatus } from './node/index.js';
