export { emitNotebookProject, type EmitProjectToFolderOptions } from './emit-notebook-project.js';
export { loadRecipeTemplates, templatesDir } from './recipe-templates.js';
export { writeProjectFiles } from './write-project.js';
export { HANDLER_FILE, handlerPath, readHandlerSource } from './handler-source.js';
export { loadAppTemplates } from './app-templates.js';
export { emitApp, type EmitAppToFolderOptions } from './emit-app.js';
export { isEmulatorRefusal, runClean, runDeploy, type DeployCallbacks, type DeploySession, type RunDeployOptions, type StepOutcome, type StepStatus } from './deploy-runner.js';
