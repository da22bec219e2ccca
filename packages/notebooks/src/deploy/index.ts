export { deployPlan, planSql, putSql, DRY_RUN_FOLDER, type CreateStep, type DatasetStep, type DeployPlanOptions, type DeployStep, type InspectionLogStep, type ObjectKind, type SqlStep, type UploadStep } from './deploy-plan.js';
export { deployStateProblem, emptyDeployState, type CreatedObject, type DeployState } from './deploy-state.js';
