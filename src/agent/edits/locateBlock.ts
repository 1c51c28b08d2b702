// Locates one search/replace block (one hunk of edit_file's patch) in the original text: exact first,
// then line by line ignoring leading/trailing whitespace, then also typographic quotes and dashes.
// Every block is located against the same original text, which is what makes the order of hunks
// irrelevant. Where it matched, spliceLines writes only the block's "-" and "+" lines.
import { blockLinesOf, oldSide, withoutEdgeBlanks, type BlockLine } from './blockLines';
import { buildSimilarityIndex, findClosestRegion, type CandidateRegion, type SimilarityIndex } from './closestRegion';
import { lineIndexAt, splitLines, toLf, type Line, type LineEnding } from './lines';
import { narrowMatches, type MatchHints } from './narrowMatches';
import { spliceLines } from './spliceLines';

export type MatchKind = 'exact' | 'whitespace-tolerant' | 'punctuation-tolerant';
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
  readonly texts: readonly string[];
  readonly trimmed: readonly string[];
  /** Trimmed, with typographic punctuation and spaces folded to ASCII; built on first use. */
  readonly folded: () => readonly string[];
  readonly eol: LineEnding;
  /** Built on first use (only a failed block needs it) and shared by all failed blocks. */
  readonly similarity: () => SimilarityIndex;
}

/** What locateBlock reads: the old and new text, and optionally a hunk's own lines and hints. */
export interface LocatableBlock extends MatchHints {
  readonly oldText: string;
  readonly newText: string;
  readonly lines?: readonly BlockLine[];
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
  /** Set when a tolerant match re-indented added lines: the model's indent → the file's. */
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
  const texts = lines.map((line) => line.text);
  const trimmed = texts.map((line) => line.trim());
  let index: SimilarityIndex | undefined;
  let folded: readonly string[] | undefined;
  return {
    text,
    lines,
    norm,
    normStarts,
    starts: lines.map((line) => line.start),
    texts,
    trimmed,
    folded: () => (folded ??= trimmed.map(foldPunctuation)),
    eol,
    similarity: () => (index ??= buildSimilarityIndex(texts)),
  };
}

/**
 * `wholeLines`: the block is made of whole lines (a patch hunk), so a match must start at a line
 * start; "b" in "ab" is not the line "b".
 */
export function locateBlock(view: FileView, block: LocatableBlock, index: number, wholeLines = false): Located | NotLocated {
  const lines = blockLinesOf(block);
  const oldLines = oldSide(lines);
  if (oldLines.length === 0) return insertion(view, block, lines, index);
  if (!wholeLines) {
    const exact = substringMatch(view, block, lines, index);
    if (exact !== undefined) return exact;
  }
  const found = matchLines(view, lines, block, index, wholeLines);
  if (found !== undefined) return found;
  const trimmed = withoutEdgeBlanks(lines);
  const retried = trimmed === undefined ? undefined : matchLines(view, trimmed, block, index, wholeLines);
  if (retried !== undefined) return retried;

  const candidate = findClosestRegion(view.similarity(), oldLines);
  const message = view.text === ''
    ? 'its context and "-" lines were not found: the file is empty. To fill an empty file, send a hunk of "+" lines only.'
    : `its context and "-" lines were not found in the file, not even ignoring leading/trailing whitespace. ${candidate === undefined ? 'No part of the file resembles them; read the file again before retrying.' : 'Copy the closest lines below exactly (without the line-number prefixes) and retry this hunk.'}`;
  return candidate === undefined ? fail(index, 'not-found', message) : { ...fail(index, 'not-found', message), candidate };
}

/** A hunk of "+" lines only: it fills an empty file, or with `*** End of File` is appended. */
function insertion(view: FileView, block: LocatableBlock, lines: readonly BlockLine[], index: number): Located | NotLocated {
  const last = view.lines[view.lines.length - 1];
  if (view.text !== '' && block.atEnd !== true) {
    return fail(
      index,
      'empty-old-text',
      'this hunk has only "+" lines, so nothing says where they go, and the file is not empty. Add the unchanged lines around the insertion as context lines (starting with " "); to append at the end of the file, end the hunk with a "*** End of File" line; use create_file for a new file.',
    );
  }
  if (last !== undefined && last.eol === '') {
    // The file's last line has no terminator: it becomes a context line, and gains one.
    return place(view, index, view.lines.length - 1, [{ kind: 'context', text: last.text }, ...lines], 'exact');
  }
  const text = lines.map((line) => line.text + view.eol).join('');
  const at = view.text.length;
  const base = located(view, index, at, at, text, 'exact');
  return view.lines.length === 0 ? base : { ...base, startLine: view.lines.length + 1, endLine: view.lines.length };
}

/** An exact match anywhere (not only at line starts), for plain search/replace blocks. */
function substringMatch(view: FileView, block: LocatableBlock, lines: readonly BlockLine[], index: number): Located | NotLocated | undefined {
  const oldText = toLf(block.oldText);
  const newText = toLf(block.newText);
  const exact = findAll(view.norm, oldText);
  const start = exact[0];
  if (start === undefined) return undefined;
  if (exact.length > 1) return ambiguous(index, exact.map((at) => rangeOf(view, at, Math.min(at + oldText.length, view.norm.length))), 'exactly', block);
  const atLineStart = start === 0 || view.norm.charAt(start - 1) === '\n';
  if (atLineStart && oldText.endsWith('\n') && (newText === '' || newText.endsWith('\n'))) {
    return place(view, index, lineIndexAt(view.normStarts, start), lines, 'exact');
  }
  const origStart = toOriginal(view, start);
  const origEnd = toOriginal(view, Math.min(start + oldText.length, view.norm.length));
  const replacement = oldText === newText ? view.text.slice(origStart, origEnd) : newText.replaceAll('\n', view.eol);
  return located(view, index, origStart, origEnd, replacement, 'exact');
}

const levels: readonly { readonly kind: MatchKind; readonly keys: (view: FileView) => readonly string[]; readonly key: (line: string) => string; readonly how: string }[] = [
  { kind: 'exact', keys: (view) => view.texts, key: (line) => line, how: 'exactly' },
  { kind: 'whitespace-tolerant', keys: (view) => view.trimmed, key: (line) => line.trim(), how: 'when leading/trailing whitespace is ignored' },
  { kind: 'punctuation-tolerant', keys: (view) => view.folded(), key: (line) => foldPunctuation(line.trim()), how: 'when whitespace, quotes and dashes are ignored' },
];

/** Undefined when the block matches nowhere at any level. */
function matchLines(view: FileView, lines: readonly BlockLine[], hints: MatchHints, index: number, wholeLines: boolean): Located | NotLocated | undefined {
  const oldLines = oldSide(lines);
  for (const level of levels) {
    // Without wholeLines the exact level was the substring search.
    if (level.kind === 'exact' && !wholeLines) continue;
    const wanted = oldLines.map(level.key);
    // A block of blank lines would "match" every blank stretch of the file: not a location.
    if (level.kind !== 'exact' && wanted.every((line) => line.trim() === '')) continue;
    const starts = findLineMatches(level.keys(view), wanted);
    if (starts.length === 0) continue;
    const chosen = narrowMatches(view.trimmed, starts, wanted.length, hints);
    const only = chosen.length === 1 ? chosen[0] : undefined;
    if (only !== undefined) return place(view, index, only, lines, level.kind);
    return ambiguous(index, chosen.map((s) => ({ startLine: s + 1, endLine: s + wanted.length })), level.how, hints);
  }
  return undefined;
}

function place(view: FileView, index: number, first: number, lines: readonly BlockLine[], match: MatchKind): Located {
  const splice = spliceLines(view.lines, view.eol, first, lines, match !== 'exact');
  const result = located(view, index, splice.start, splice.end, splice.replacement, match);
  return splice.reindent === undefined ? result : { ...result, reindent: splice.reindent };
}

function located(view: FileView, index: number, start: number, end: number, replacement: string, match: MatchKind): Located {
  const startLine = lineIndexAt(view.starts, start) + 1;
  const endLine = lineIndexAt(view.starts, Math.max(start, end - 1)) + 1;
  const noOp = replacement === view.text.slice(start, end);
  return { kind: 'located', index, start, end, replacement, match, noOp, startLine, endLine };
}

function ambiguous(index: number, ranges: readonly LineRange[], how: string, hints: MatchHints): NotLocated {
  const shown = ranges.slice(0, maxMatchesListed).map(formatRange).join(', ');
  const more = ranges.length > maxMatchesListed ? ` and ${ranges.length - maxMatchesListed} more` : '';
  const anchored = (hints.anchors ?? []).some((anchor) => anchor.trim() !== '');
  const advice = anchored
    ? 'The text after "@@" did not single one out: add context lines so they match exactly one.'
    : 'Add more context lines so they match exactly one, or put a line that comes before the right one after "@@" (for example "@@ function name(").';
  return {
    ...fail(index, 'ambiguous', `its context and "-" lines match ${ranges.length} places ${how} (lines ${shown}${more}). ${advice}`),
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

/** First line indexes where every block line equals the file line (both as keys). */
function findLineMatches(keys: readonly string[], wanted: readonly string[]): number[] {
  const found: number[] = [];
  const head = wanted[0];
  for (let first = 0; first + wanted.length <= keys.length; first++) {
    if (keys[first] !== head) continue;
    if (wanted.every((line, i) => keys[first + i] === line)) found.push(first);
  }
  return found;
}

/**
 * Typographic punctuation a model tends to type as ASCII (or the reverse): dashes and the minus sign,
 * curly quotes, and the unusual spaces, as in Codex's last matching pass.
 */
export function foldPunctuation(line: string): string {
  return line
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C-\u201F]/g, '"')
    .replace(/[\u00A0\u2002-\u200A\u202F\u205F\u3000]/g, ' ');
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

