import type { FileChange, Hunk } from '../../protocol/run';

/**
 * Where a hunk's lines fall in the document the inline review shows (the proposed text; for a
 * deleted file, the original with its lines struck through). Pure: no vscode, 0-based lines.
 */

export interface LineRange {
  readonly start: number;
  readonly end: number;
}

/** Lines the proposal removes, shown on the line that now stands where they were. */
export interface Removal {
  readonly line: number;
  /** The lines went after `line` (at the end of the file), not before it. */
  readonly below: boolean;
  readonly lines: readonly string[];
}

export interface HunkLayout {
  /** The change set's hunk id: what the review's decisions name. */
  readonly id: string;
  /** Lines the proposal adds. */
  readonly added: readonly number[];
  readonly removals: readonly Removal[];
  /** A deleted file's lines, shown struck through. */
  readonly struck: readonly number[];
  /** The first and last changed line: where the CodeLens sits, the cursor goes and the hover shows. */
  readonly first: number;
  readonly last: number;
  /** The hunk with its context in the shown document, in the proposed text and in the original. */
  readonly range: LineRange;
  readonly newRange: LineRange;
  readonly oldRange: LineRange;
  readonly addedCount: number;
  readonly removedCount: number;
  readonly removedLines: readonly string[];
}

/** A deleted text file is shown as its original, struck through; everything else as proposed. */
export function showsOriginal(file: FileChange): boolean {
  return file.kind === 'delete' && file.beforeText !== null;
}

/** Lines as an editor numbers them, not counting the empty one after a final newline. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const parts = text.split(/\r\n|\r|\n/);
  return parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
}

/** A unified-diff side (1-based start, or the line before when it has no lines) as 0-based lines. */
function sideRange(start: number, count: number): LineRange {
  const first = count === 0 ? start : start - 1;
  return { start: first, end: first + Math.max(count, 1) - 1 };
}

export function layoutHunk(hunk: Hunk, shownLines: number, original: boolean): HunkLayout {
  const newRange = sideRange(hunk.newStart, hunk.newLines);
  const oldRange = sideRange(hunk.oldStart, hunk.oldLines);
  const range = original ? oldRange : newRange;
  const added: number[] = [];
  const struck: number[] = [];
  const removals: Removal[] = [];
  const removedLines: string[] = [];
  let pending: string[] = [];
  let line = range.start;
  const flush = (): void => {
    if (pending.length === 0) return;
    const below = shownLines > 0 && line >= shownLines;
    removals.push({ line: Math.max(0, Math.min(line, shownLines - 1)), below, lines: pending });
    pending = [];
  };
  for (const { kind, text } of hunk.lines) {
    if (kind === 'add') {
      flush();
      added.push(line++);
    } else if (kind === 'remove') {
      removedLines.push(text);
      if (original) struck.push(line++);
      else pending.push(text);
    } else {
      flush();
      line++;
    }
  }
  flush();
  const changed = [...added, ...struck, ...removals.map((removal) => removal.line)];
  const first = changed.length > 0 ? Math.min(...changed) : Math.max(0, Math.min(range.start, shownLines - 1));
  const last = changed.length > 0 ? Math.max(...changed) : first;
  return { id: hunk.id, added, removals, struck, first, last, range, newRange, oldRange, addedCount: added.length, removedCount: removedLines.length, removedLines };
}

export function layoutFile(file: FileChange, shownText: string): HunkLayout[] {
  const lines = countLines(shownText);
  // The change set's hunks are in file order already.
  return file.hunks.map((hunk) => layoutHunk(hunk, lines, showsOriginal(file)));
}
