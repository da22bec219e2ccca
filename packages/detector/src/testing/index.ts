export { describeBackendConformance, type ConformanceFixture } from './backend-conformance.js';
