export { describeBackendConformance, type ConformanceFixture } from './backend-conformance.js';
export { describeDetectorConformance, type DetectorConformanceFixture } from './detector-conformance.js';
