export { emitRegistryPackage, handlerLayouts, registryPackageModelPath, type RegistryPackageFile, type RegistryPackageOptions } from './registry-package.js';
export { predictPySource } from './predict-py.js';
