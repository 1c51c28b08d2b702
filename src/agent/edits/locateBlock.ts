// Locates one search/replace block (one hunk of edit_file's patch) in the original text: exact
// first, then line by line ignoring leading/trailing whitespace. Every block is located against the
// same original text, which is what makes the order of hunks irrelevant.
import { buildSimilarityIndex, findClosestRegion, type CandidateRegion, type SimilarityIndex } from './closestRegion';
import { leadingWhitespace, lineIndexAt, splitLines, toLf, type Line, type LineEnding } from './lines';

export type MatchKind = 'exact' | 'whitespace-tolerant';
export type FailureReason = 'not-found' | 'ambiguous' | 'overlap' | 'empty-old-text';

export interface LineRange {
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
}

/** The original text prepared once for all blocks. */
export interface FileView {
  readonly text: string;
  readonly lines: readonly Line[];
  /** The text with every terminator folded to '\n'; same line structure as `text`. */
  readonly norm: string;
  readonly normStarts: readonly number[];
  /** Start offset of each line in `text`. */
  readonly starts: readonly number[];
  readonly trimmed: readonly string[];
  readonly eol: LineEnding;
  /** Built on first use (only a failed block needs it) and shared by all failed blocks. */
  readonly similarity: () => SimilarityIndex;
}

export interface Located extends LineRange {
  readonly kind: 'located';
  readonly index: number;
  /** Offsets in the original text, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  readonly match: MatchKind;
  readonly noOp: boolean;
  /** Set when a whitespace-tolerant match re-indented the new text: the model's indent → the file's. */
  readonly reindent?: { readonly from: string; readonly to: string };
}

export interface NotLocated {
  readonly kind: 'failed';
  readonly index: number;
  readonly reason: FailureReason;
  readonly message: string;
  readonly candidate?: CandidateRegion;
  readonly matches?: readonly LineRange[];
}

/** Listing every match of a one-character block in a big file helps nobody. */
const maxMatchesListed = 20;

export function buildView(text: string, eol: LineEnding): FileView {
  const lines = splitLines(text);
  const normStarts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    normStarts.push(offset);
    offset += line.text.length + (line.eol === '' ? 0 : 1);
  }
  const norm = lines.map((line) => line.text + (line.eol === '' ? '' : '\n')).join('');
  let index: SimilarityIndex | undefined;
  const similarity = (): SimilarityIndex => (index ??= buildSimilarityIndex(lines.map((line) => line.text)));
  return { text, lines, norm, normStarts, starts: lines.map((line) => line.start), trimmed: lines.map((line) => line.text.trim()), eol, similarity };
}

/**
 * `wholeLines`: the block is made of whole lines (a patch hunk), so an exact match must start at a
 * line start; "b" in "ab" is not the line "b".
 */
export function locateBlock(view: FileView, block: { readonly oldText: string; readonly newText: string }, index: number, wholeLines = false): Located | NotLocated {
  const oldText = toLf(block.oldText);
  const newText = toLf(block.newText);
  if (oldText === '') {
    if (view.text !== '') {
      return fail(
        index,
        'empty-old-text',
        'this hunk has only "+" lines, so nothing says where they go, and the file is not empty. Add the unchanged lines around the insertion as context lines (starting with " "); use create_file for a new file.',
      );
    }
    return located(view, index, 0, 0, newText.replaceAll('\n', view.eol), 'exact', oldText === newText);
  }

  // Whole lines each end with '\n', the file's last line maybe not: match as if it had one, and
  // keep it without one, so the last line is matched exactly rather than only whitespace-tolerantly.
  const open = wholeLines && view.norm !== '' && !view.norm.endsWith('\n');
  const haystack = open ? `${view.norm}\n` : view.norm;
  const exact = findAll(haystack, oldText).filter((start) => !wholeLines || start === 0 || haystack.charAt(start - 1) === '\n');
  const endOf = (start: number): number => Math.min(start + oldText.length, view.norm.length);
  if (exact.length === 1) {
    const start = exact[0] ?? 0;
    const origStart = toOriginal(view, start);
    const origEnd = toOriginal(view, endOf(start));
    const atOpenEnd = start + oldText.length > view.norm.length;
    const written = atOpenEnd && newText.endsWith('\n') ? newText.slice(0, -1) : newText;
    const replacement = oldText === newText ? view.text.slice(origStart, origEnd) : written.replaceAll('\n', view.eol);
    return located(view, index, origStart, origEnd, replacement, 'exact', oldText === newText);
  }
  if (exact.length > 1) return ambiguous(index, exact.map((start) => rangeOf(view, start, endOf(start))), 'exactly');

  const oldLines = linesOf(oldText);
  // A block of blank lines would "match" every blank stretch of the file: not a location.
  if (oldLines.some((line) => line.trim() !== '')) {
    const starts = findLineMatches(view, oldLines.map((line) => line.trim()));
    if (starts.length === 1) return tolerant(view, index, starts[0] ?? 0, oldLines, oldText === newText ? undefined : linesOf(newText));
    if (starts.length > 1) {
      return ambiguous(index, starts.map((s) => ({ startLine: s + 1, endLine: s + oldLines.length })), 'when leading/trailing whitespace is ignored');
    }
  }
  const candidate = findClosestRegion(view.similarity(), oldLines);
  const message = view.text === ''
    ? 'its context and "-" lines were not found: the file is empty. To fill an empty file, send a hunk of "+" lines only.'
    : `its context and "-" lines were not found in the file, not even ignoring leading/trailing whitespace. ${candidate === undefined ? 'No part of the file resembles them; read the file again before retrying.' : 'Copy the closest lines below exactly (without the line-number prefixes) and retry this hunk.'}`;
  return candidate === undefined ? fail(index, 'not-found', message) : { ...fail(index, 'not-found', message), candidate };
}

/** Replaces whole lines [first, first + oldLines.length) with `newLines`, shifted to the file's indentation. */
function tolerant(view: FileView, index: number, first: number, oldLines: readonly string[], newLines: readonly string[] | undefined): Located {
  const last = view.lines[first + oldLines.length - 1];
  const start = view.lines[first]?.start ?? 0;
  const end = last === undefined ? view.text.length : last.start + last.text.length + last.eol.length;
  if (newLines === undefined) return located(view, index, start, end, view.text.slice(start, end), 'whitespace-tolerant', true);

  const anchor = oldLines.findIndex((line) => line.trim() !== '');
  const from = leadingWhitespace(oldLines[anchor] ?? '');
  const to = leadingWhitespace(view.lines[first + anchor]?.text ?? '');
  const shifted = from === to ? newLines : newLines.map((line) => reindentLine(line, from, to));
  // Join with the file's terminator; the last line keeps the terminator the file had there (maybe none).
  const replacement = shifted.length === 0 ? '' : shifted.join(view.eol) + (last?.eol ?? '');
  const result = located(view, index, start, end, replacement, 'whitespace-tolerant', false);
  return from === to ? result : { ...result, reindent: { from, to } };
}

/** Moves a line from the model's indentation to the file's, keeping its depth relative to the block. */
function reindentLine(line: string, from: string, to: string): string {
  if (line.trim() === '') return line;
  if (line.startsWith(from)) return to + line.slice(from.length);
  // The line sits shallower than the block's first line: apply the same shift where it is unambiguous.
  if (to.startsWith(from)) return to.slice(from.length) + line;
  if (from.startsWith(to)) {
    const remove = from.length - to.length;
    const lead = leadingWhitespace(line).length;
    return line.slice(Math.min(remove, lead));
  }
  return line;
}

function located(view: FileView, index: number, start: number, end: number, replacement: string, match: MatchKind, intendedNoOp: boolean): Located {
  const startLine = lineIndexAt(view.starts, start) + 1;
  const endLine = lineIndexAt(view.starts, Math.max(start, end - 1)) + 1;
  const noOp = intendedNoOp || replacement === view.text.slice(start, end);
  return { kind: 'located', index, start, end, replacement, match, noOp, startLine, endLine };
}

function ambiguous(index: number, ranges: readonly LineRange[], how: string): NotLocated {
  const shown = ranges.slice(0, maxMatchesListed).map(formatRange).join(', ');
  const more = ranges.length > maxMatchesListed ? ` and ${ranges.length - maxMatchesListed} more` : '';
  return {
    ...fail(index, 'ambiguous', `its context and "-" lines match ${ranges.length} places ${how} (lines ${shown}${more}). Add more context lines so they match exactly one.`),
    matches: ranges,
  };
}

export function formatRange(range: LineRange): string {
  return range.startLine === range.endLine ? `${range.startLine}` : `${range.startLine}-${range.endLine}`;
}

function fail(index: number, reason: FailureReason, message: string): NotLocated {
  return { kind: 'failed', index, reason, message };
}

/** Every start of `needle` in `haystack`, overlapping ones included: "aa" occurs twice in "aaa". */
function findAll(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** First line indexes where every trimmed block line equals the trimmed file line. */
function findLineMatches(view: FileView, wanted: readonly string[]): number[] {
  const found: number[] = [];
  for (let first = 0; first + wanted.length <= view.trimmed.length; first++) {
    if (wanted.every((line, i) => view.trimmed[first + i] === line)) found.push(first);
  }
  return found;
}

/** Lines of model text; a final '\n' ends the last line rather than starting an empty one. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Maps an offset in the LF-folded text to the original (a folded '\r\n' is one character there). */
function toOriginal(view: FileView, normOffset: number): number {
  if (normOffset >= view.norm.length) return view.text.length;
  const line = lineIndexAt(view.normStarts, normOffset);
  return (view.lines[line]?.start ?? 0) + normOffset - (view.normStarts[line] ?? 0);
}

function rangeOf(view: FileView, normStart: number, normEnd: number): LineRange {
  const startLine = lineIndexAt(view.normStarts, normStart) + 1;
  return { startLine, endLine: Math.max(startLine, lineIndexAt(view.normStarts, Math.max(normStart, normEnd - 1)) + 1) };
}
