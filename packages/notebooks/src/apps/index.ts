export { APP_NAMES, APP_RECIPE, appStagePath, resolveAppOptions, type AppName, type AppOptions, type ResolvedAppOptions } from './app-options.js';
export { appConfig, appEnvironmentYml, appSnowflakeYml, renderApp, semanticModelStagePath, type AppTemplates, type EmittedApp } from './render-app.js';
