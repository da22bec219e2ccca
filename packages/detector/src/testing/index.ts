export { describeBackendConformance, type ConformanceFixture } from './backend-conformance.js';
export { expectTypedRejection } from './typed-rejection.js';
export { sampleModelCard, type SampleModelCardOverrides } from './sample-model-card.js';
export { describeDetectorConformance, type DetectorConformanceFixture } from './detector-conformance.js';
