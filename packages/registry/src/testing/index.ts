export { describeRegistryConformance, invalidRegistryNames, type RegistryConformanceFixture } from './registry-conformance.js';
