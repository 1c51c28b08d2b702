// Applies a worker's search/replace blocks to one file's text. Pure: no I/O. Each block is located
// in the original text on its own, blocks that cannot be placed safely fail on their own, and the
// rest are applied together, so one bad block never cancels the others and order never matters.
import type { BlockLine } from './blockLines';
import type { CandidateRegion } from './closestRegion';
import { countLineEndings, dominantLineEnding, type LineEnding } from './lines';
import { buildView, locateBlock, formatRange, type FailureReason, type LineRange, type Located, type MatchKind, type NotLocated } from './locateBlock';

export type { BlockLine, BlockLineKind } from './blockLines';
export type { CandidateRegion } from './closestRegion';
export type { FailureReason, LineRange, MatchKind } from './locateBlock';

export interface EditBlock {
  /** Taken literally: no unescaping of entities, backslashes or `$` patterns. '\r\n' is read as '\n'. */
  readonly oldText: string;
  readonly newText: string;
  /**
   * A patch hunk's lines, marked context, remove or add (oldText and newText are its two sides). Without
   * them, the lines old and new share are the context. Context lines always keep the file's bytes.
   */
  readonly lines?: readonly BlockLine[];
  /** `@@ <anchor>` texts: lines that come before the block, in order; used only to choose among several matches. */
  readonly anchors?: readonly string[];
  /** A unified diff's old start line; used only to choose among several matches. */
  readonly lineHint?: number;
  /** `*** End of File`: the block ends the file (chooses among matches); a block of added lines only is appended. */
  readonly atEnd?: boolean;
}

export interface ApplyOptions {
  /** Terminator for written lines; defaults to the text's dominant one (pass `FileFormat.lineEnding`). */
  readonly lineEnding?: LineEnding;
  /** Every block is whole lines (edit_file's hunks): exact matches must start at a line start. */
  readonly wholeLines?: boolean;
}

export interface AppliedBlock extends LineRange {
  /** Position of the block in the input array, 0-based. startLine/endLine are in the original text. */
  readonly index: number;
  readonly status: 'applied';
  readonly match: MatchKind;
  /** Where the replacement sits in the new text (1-based, inclusive); empty (end < start) when it removed everything it matched. */
  readonly newStartLine: number;
  readonly newEndLine: number;
  /** The block changed nothing: old and new were the same, or the replacement equals what was there. */
  readonly noOp: boolean;
  readonly reindent?: { readonly from: string; readonly to: string };
}

export interface FailedBlock {
  readonly index: number;
  readonly status: 'failed';
  readonly reason: FailureReason;
  readonly message: string;
  /** For 'not-found': the most similar lines of the file, if any are similar enough. */
  readonly candidate?: CandidateRegion;
  /** For 'ambiguous': every place the block matched. */
  readonly matches?: readonly LineRange[];
  /** For 'overlap': the indexes of the blocks whose matches overlap this one's. */
  readonly overlapsWith?: readonly number[];
}

export type BlockResult = AppliedBlock | FailedBlock;

export interface EditOutcome {
  /** The edited text; equal to the input when nothing applied. */
  readonly text: string;
  /** False when the text is unchanged: report that as a no-op, never as "edited successfully". */
  readonly changed: boolean;
  /** One result per block, in input order. */
  readonly blocks: readonly BlockResult[];
  readonly appliedCount: number;
  readonly failedCount: number;
}

export function applySearchReplace(text: string, blocks: readonly EditBlock[], options: ApplyOptions = {}): EditOutcome {
  const eol = options.lineEnding ?? dominantLineEnding(countLineEndings(text));
  const view = buildView(text, eol);
  const found = blocks.map((block, index) => locateBlock(view, block, index, options.wholeLines === true));

  const placed = found.filter((result): result is Located => result.kind === 'located');
  const clashes = findOverlaps(placed);
  const accepted = placed.filter((block) => !clashes.has(block.index)).sort((a, b) => a.start - b.start || a.end - b.end);

  // Stitch the kept original pieces and the replacements together in file order.
  let output = '';
  let cursor = 0;
  let lineDelta = 0;
  const appliedByIndex = new Map<number, AppliedBlock>();
  for (const block of accepted) {
    output += text.slice(cursor, block.start) + block.replacement;
    cursor = block.end;
    const newStartLine = block.startLine + lineDelta;
    const newEndLine = block.replacement === '' ? newStartLine - 1 : newStartLine + countBreaks(block.replacement.replace(/(\r\n|\r|\n)$/, ''));
    lineDelta += countBreaks(block.replacement) - countBreaks(text.slice(block.start, block.end));
    appliedByIndex.set(block.index, toApplied(block, newStartLine, newEndLine));
  }
  output += text.slice(cursor);

  const results = found.map((result): BlockResult => {
    const applied = appliedByIndex.get(result.index);
    if (applied !== undefined) return applied;
    if (result.kind === 'failed') return toFailed(result);
    const others = clashes.get(result.index) ?? [];
    const where = `${result.startLine === result.endLine ? 'line' : 'lines'} ${formatRange(result)}`;
    const message = `its match (${where}) overlaps the match of ${others.map((i) => `hunk ${i + 1}`).join(', ')}. Hunks are applied to the original file together, so merge overlapping hunks into one.`;
    return { index: result.index, status: 'failed', reason: 'overlap', message, overlapsWith: others };
  });
  const appliedCount = appliedByIndex.size;
  return { text: output, changed: output !== text, blocks: results, appliedCount, failedCount: results.length - appliedCount };
}

/** Block index → indexes of the blocks its match overlaps. Both sides of every overlap fail. */
function findOverlaps(placed: readonly Located[]): Map<number, number[]> {
  const clashes = new Map<number, number[]>();
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      const a = placed[i];
      const b = placed[j];
      if (a === undefined || b === undefined || !overlaps(a, b)) continue;
      clashes.set(a.index, [...(clashes.get(a.index) ?? []), b.index]);
      clashes.set(b.index, [...(clashes.get(b.index) ?? []), a.index]);
    }
  }
  for (const list of clashes.values()) list.sort((x, y) => x - y);
  return clashes;
}

function overlaps(a: Located, b: Located): boolean {
  const aEmpty = a.start === a.end;
  const bEmpty = b.start === b.end;
  // Two insertions at one point have no defined order; an insertion inside another match is a conflict.
  if (aEmpty && bEmpty) return a.start === b.start;
  if (aEmpty) return a.start > b.start && a.start < b.end;
  if (bEmpty) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

function countBreaks(text: string): number {
  const counts = countLineEndings(text);
  return counts.lf + counts.crlf + counts.cr;
}

function toApplied(block: Located, newStartLine: number, newEndLine: number): AppliedBlock {
  const base: AppliedBlock = {
    index: block.index,
    status: 'applied',
    match: block.match,
    startLine: block.startLine,
    endLine: block.endLine,
    newStartLine,
    newEndLine,
    noOp: block.noOp,
  };
  return block.reindent === undefined ? base : { ...base, reindent: block.reindent };
}

function toFailed(result: NotLocated): FailedBlock {
  const base: FailedBlock = { index: result.index, status: 'failed', reason: result.reason, message: result.message };
  return {
    ...base,
    ...(result.candidate === undefined ? {} : { candidate: result.candidate }),
    ...(result.matches === undefined ? {} : { matches: result.matches }),
  };
}
