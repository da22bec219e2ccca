export {
  emitRegistryPackage,
  handlerDependencies,
  registryPackageHandlerPath,
  registryPackageModelPath,
  type RegistryPackageFile,
  type RegistryPackageOptions,
} from './registry-package.js';
