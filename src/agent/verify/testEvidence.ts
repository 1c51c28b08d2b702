export { describeBeforeAfter, describeCounts, testEvidenceSchema, type TestCounts, type TestEvidence } from '../../protocol/testEvidence';
