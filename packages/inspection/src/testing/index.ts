export { describeInspectionStoreConformance, type InspectionConformanceFixture } from './inspection-conformance.js';
