export { testEvidenceSchema, type TestEvidence } from '../../protocol/testEvidence';
