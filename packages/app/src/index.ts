export { DEFAULT_PORT, sendError, startAppServer, type AppRoute, type AppServer, type AppServerOptions, type ServedModel } from './app-server.js';
export { SECURITY_HEADERS } from './security-headers.js';
export { bundleForBrowser, bundlePage } from './page-bundle.js';
export { contentType, sendBody, sendFile } from './served-files.js';
export { classCounts, filterDetections, resultView, verdictOf, type ResultView } from './page/result-view.js';
export { dashboardRoutes } from './dashboard/dashboard-routes.js';
