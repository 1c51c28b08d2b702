import type { FileChange } from '../../protocol/run';

/**
 * The document the inline review shows, and where each hunk's lines fall in it. Like a unified diff
 * with the whole file around it: unchanged lines as they are, and at each change the lines it
 * removes (as real lines, painted as deleted) above the lines it adds. It is only ever read: the
 * decisions name the change set's hunks, and landing applies those, never this text. Pure: no
 * vscode, 0-based lines.
 */

export interface LineRange {
  readonly start: number;
  readonly end: number;
}

export interface HunkLayout {
  /** The change set's hunk id: what the review's decisions name. */
  readonly id: string;
  /** Lines of the review document the hunk adds. */
  readonly added: readonly number[];
  /** Lines of the review document the hunk removes (shown above what replaces them). */
  readonly removed: readonly number[];
  /** The first and last changed line: where the CodeLens sits, the cursor goes and the hover shows. */
  readonly first: number;
  readonly last: number;
  /** The first changed line in the proposed text alone (Open Diff's right side). */
  readonly firstInProposal: number;
  /** The hunk with its context in the review document, in the proposed text and in the original. */
  readonly range: LineRange;
  readonly newRange: LineRange;
  readonly oldRange: LineRange;
  readonly addedCount: number;
  readonly removedCount: number;
  readonly removedLines: readonly string[];
  /** The hunk deletes the whole file (its removed lines need no listing elsewhere). */
  readonly deletesFile: boolean;
}

export interface ReviewDocument {
  readonly text: string;
  readonly layouts: readonly HunkLayout[];
}

/** Lines without their terminators, not counting the empty one after a final newline. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A unified-diff side (1-based start, or the line before when it has no lines) as 0-based lines. */
function sideRange(start: number, count: number): LineRange {
  const first = count === 0 ? start : start - 1;
  return { start: first, end: first + Math.max(count, 1) - 1 };
}

/**
 * The review document of a file with hunks; undefined for a file decided as a whole (binary
 * content, or a change no line shows), which shows its proposed text or a note instead.
 */
export function reviewDocument(file: FileChange): ReviewDocument | undefined {
  if (file.hunks.length === 0) return undefined;
  const original = linesOf(file.beforeText ?? '');
  const shown: string[] = [];
  const layouts: HunkLayout[] = [];
  let cursor = 0;
  for (const hunk of file.hunks) {
    const newRange = sideRange(hunk.newStart, hunk.newLines);
    const oldRange = sideRange(hunk.oldStart, hunk.oldLines);
    // The unchanged lines between the previous hunk and this one.
    while (cursor < oldRange.start && cursor < original.length) shown.push(original[cursor++] ?? '');
    const start = shown.length;
    const added: number[] = [];
    const removed: number[] = [];
    const removedLines: string[] = [];
    let proposalLine = hunk.newLines === 0 ? hunk.newStart : hunk.newStart - 1;
    let firstInProposal: number | undefined;
    let removing: string[] = [];
    let adding: string[] = [];
    // One run of changes: what it removes first, then what it adds, as a reader expects.
    const flush = (): void => {
      if (removing.length + adding.length > 0) firstInProposal ??= proposalLine;
      for (const text of removing) removed.push(shown.push(text) - 1);
      for (const text of adding) added.push(shown.push(text) - 1);
      proposalLine += adding.length;
      removing = [];
      adding = [];
    };
    for (const line of hunk.lines) {
      if (line.kind === 'context') {
        flush();
        shown.push(line.text);
        cursor += 1;
        proposalLine += 1;
      } else if (line.kind === 'remove') {
        removing.push(line.text);
        removedLines.push(line.text);
        cursor += 1;
      } else {
        adding.push(line.text);
      }
    }
    flush();
    const changed = [...removed, ...added];
    const first = changed.length > 0 ? Math.min(...changed) : start;
    const last = changed.length > 0 ? Math.max(...changed) : first;
    layouts.push({
      id: hunk.id,
      added,
      removed,
      first,
      last,
      firstInProposal: firstInProposal ?? newRange.start,
      range: { start, end: Math.max(start, shown.length - 1) },
      newRange,
      oldRange,
      addedCount: added.length,
      removedCount: removedLines.length,
      removedLines,
      deletesFile: file.kind === 'delete',
    });
  }
  while (cursor < original.length) shown.push(original[cursor++] ?? '');
  // Only read, never landed: one kind of line ending is enough, the file's own when it has CRLF.
  const eol = /\r\n/.test(file.afterText ?? file.beforeText ?? '') ? '\r\n' : '\n';
  return { text: shown.length === 0 ? '' : `${shown.join(eol)}${eol}`, layouts };
}

/** Where a file's hunks fall in its review document; none for a file decided as a whole. */
export function layoutFile(file: FileChange): HunkLayout[] {
  return [...(reviewDocument(file)?.layouts ?? [])];
}
