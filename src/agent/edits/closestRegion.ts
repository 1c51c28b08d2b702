// Finds the lines of a file that look most like a block the model could not match, so the error it
// reads back shows what the file really says there instead of a bare "not found".

export interface CandidateRegion {
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  /** The file's lines in that range, without terminators. */
  readonly lines: readonly string[];
  /** Mean per-line similarity, 0 to 1. */
  readonly similarity: number;
  /** The first line where the file and the block differ (ignoring leading/trailing whitespace). */
  readonly firstDifference?: { readonly line: number; readonly file: string; readonly block: string };
}

/** Below this the "closest" region is noise and pointing at it would only mislead. */
const minimumSimilarity = 0.25;
/** Long blocks are first scored on this many sampled lines, keeping 10,000-line files fast. */
const sampleSize = 8;
/** Windows that survive sampling and get a full score. */
const finalists = 16;

/**
 * Per-line character bigrams for Dice similarity (which tolerates small typos), packed into one
 * array with per-line offsets: one allocation for a whole file instead of one per line.
 */
export interface SimilarityIndex {
  readonly lines: readonly string[];
  readonly norms: readonly string[];
  /** Sorted bigram codes of line i are grams[offsets[i]] .. grams[offsets[i + 1]]. */
  readonly grams: Uint32Array;
  readonly offsets: Uint32Array;
}

export function buildSimilarityIndex(lines: readonly string[]): SimilarityIndex {
  // Runs of inner whitespace are collapsed so alignment differences do not dominate the score.
  const norms = lines.map((line) => line.trim().replace(/\s+/g, ' '));
  const offsets = new Uint32Array(norms.length + 1);
  for (let i = 0; i < norms.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + Math.max(0, (norms[i]?.length ?? 0) - 1);
  const grams = new Uint32Array(offsets[norms.length] ?? 0);
  norms.forEach((norm, i) => {
    const from = offsets[i] ?? 0;
    // Two UTF-16 code units fit one 32-bit code exactly.
    for (let k = 0; k + 1 < norm.length; k++) grams[from + k] = ((norm.charCodeAt(k) << 16) | norm.charCodeAt(k + 1)) >>> 0;
    grams.subarray(from, offsets[i + 1] ?? from).sort();
  });
  return { lines, norms, grams, offsets };
}

/** `file` is built once per file and shared by every block that failed to match. */
export function findClosestRegion(file: SimilarityIndex, blockLines: readonly string[]): CandidateRegion | undefined {
  const fileLines = file.lines;
  if (fileLines.length === 0 || blockLines.length === 0) return undefined;
  const block = buildSimilarityIndex(blockLines);
  const span = Math.min(blockLines.length, fileLines.length);
  const windowCount = fileLines.length - span + 1;

  const sample = sampleIndices(block);
  const scoreWindow = (start: number, indices: readonly number[]): number => {
    let total = 0;
    for (const i of indices) if (start + i < fileLines.length) total += similarity(file, start + i, block, i);
    return total / indices.length;
  };

  // Keep the best few windows by their sampled score (earliest wins ties), then score those fully.
  const best: { start: number; score: number }[] = [];
  for (let start = 0; start < windowCount; start++) {
    const score = scoreWindow(start, sample);
    if (best.length < finalists || score > (best[best.length - 1]?.score ?? -1)) {
      best.push({ start, score });
      best.sort((a, b) => b.score - a.score || a.start - b.start);
      if (best.length > finalists) best.pop();
    }
  }
  const all = blockLines.map((_, i) => i);
  let winner = { start: 0, score: -1 };
  for (const finalist of best) {
    const start = finalist.start;
    const score = sample.length === all.length ? finalist.score : scoreWindow(start, all);
    if (score > winner.score || (score === winner.score && start < winner.start)) winner = { start, score };
  }
  if (winner.score < minimumSimilarity) return undefined;

  const lines = fileLines.slice(winner.start, winner.start + span);
  const region: CandidateRegion = {
    startLine: winner.start + 1,
    endLine: winner.start + span,
    lines,
    similarity: winner.score,
  };
  for (let i = 0; i < span; i++) {
    const fileLine = lines[i] ?? '';
    const blockLine = blockLines[i] ?? '';
    if (fileLine.trim() !== blockLine.trim()) {
      return { ...region, firstDifference: { line: winner.start + i + 1, file: fileLine, block: blockLine } };
    }
  }
  return region;
}

function similarity(a: SimilarityIndex, i: number, b: SimilarityIndex, j: number): number {
  if (a.norms[i] === b.norms[j]) return 1;
  let x = a.offsets[i] ?? 0;
  const xEnd = a.offsets[i + 1] ?? x;
  let y = b.offsets[j] ?? 0;
  const yEnd = b.offsets[j + 1] ?? y;
  const total = xEnd - x + (yEnd - y);
  if (x === xEnd || y === yEnd) return 0;
  // Dice coefficient over bigram multisets: merge two sorted runs.
  let shared = 0;
  while (x < xEnd && y < yEnd) {
    const gx = a.grams[x] ?? 0;
    const gy = b.grams[y] ?? 0;
    if (gx === gy) {
      shared++;
      x++;
      y++;
    } else if (gx < gy) x++;
    else y++;
  }
  return (2 * shared) / total;
}

/** Evenly spread block lines, preferring ones with some substance: '}' and blank lines say little. */
function sampleIndices(block: SimilarityIndex): number[] {
  const all = block.norms.map((_, i) => i);
  if (all.length <= sampleSize) return all;
  const telling = all.filter((i) => (block.norms[i]?.length ?? 0) >= 4);
  const pool = telling.length >= sampleSize ? telling : all;
  const step = (pool.length - 1) / (sampleSize - 1);
  return Array.from({ length: sampleSize }, (_, k) => pool[Math.round(k * step)] ?? 0);
}
