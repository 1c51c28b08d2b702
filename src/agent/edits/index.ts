// The edit engine's public surface: decode a file, parse a worker's patch, apply its hunks, report, diff, encode.
export { decodeFile, encodeFile, type BinaryOrUnsupported, type DecodedFile, type FileFormat, type TextEncoding } from './fileCodec';
export {
  applySearchReplace,
  type AppliedBlock,
  type ApplyOptions,
  type BlockResult,
  type CandidateRegion,
  type EditBlock,
  type EditOutcome,
  type FailedBlock,
  type FailureReason,
  type LineRange,
  type MatchKind,
} from './searchReplace';
export { formatEditReport, type EditReportOptions } from './formatEditReport';
export { hunkLabel, hunkToBlock, maxHunks, parsePatch, type ParsedPatch, type PatchHunk, type PatchLine, type PatchLineKind } from './parsePatch';
export { diffHunks, unifiedDiff, type DiffHunk, type DiffLine, type UnifiedDiffOptions } from './unifiedDiff';
export type { LineEnding } from './lines';
