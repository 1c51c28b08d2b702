// Line diffs for showing and checking edits: structured hunks and the standard unified diff text.
// Lines compare with their terminators, so a changed line ending or final newline is a change.
import { myersMarks } from './myers';
import { splitLines, type Line } from './lines';

export interface DiffLine {
  readonly kind: 'context' | 'add' | 'remove';
  /** The line without its terminator. */
  readonly text: string;
  /** The line's own terminator; '' for a last line without one ("\ No newline at end of file"). */
  readonly eol: string;
}

/**
 * One hunk, numbered as in unified diff: 1-based starts; when a side has no lines (a pure insertion
 * or deletion) its start is the line just before the hunk, 0 at the top of the file.
 */
export interface DiffHunk {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly lines: readonly DiffLine[];
}

export interface UnifiedDiffOptions {
  /** Workspace-relative path, shown as a/path and b/path. */
  readonly path: string;
  /** Unchanged lines kept around each change; 3 like diff -u and git. */
  readonly context?: number;
}

/** The lines newText adds to oldText, each with its 1-based line number in newText. */
export function addedLines(oldText: string, newText: string): { line: number; text: string }[] {
  const added: { line: number; text: string }[] = [];
  for (const hunk of diffHunks(oldText, newText, 0)) {
    let line = hunk.newStart;
    for (const diffLine of hunk.lines) {
      if (diffLine.kind === 'add') added.push({ line: line++, text: diffLine.text });
      else if (diffLine.kind !== 'remove') line += 1;
    }
  }
  return added;
}

/** Hunks turning oldText into newText; none when they are equal. */
export function diffHunks(oldText: string, newText: string, context = 3): DiffHunk[] {
  const oldLines = splitLines(oldText);
  const newLines = splitLines(newText);
  const script = editScript(oldLines, newLines);
  const changed: number[] = [];
  for (let i = 0; i < script.length; i++) if (script.kinds[i] !== contextRow) changed.push(i);
  const hunks: DiffHunk[] = [];
  let g = 0;
  while (g < changed.length) {
    // Changes closer than two contexts apart share a hunk, as in diff -u.
    let last = changed[g] ?? 0;
    const first = last;
    while (g + 1 < changed.length && (changed[g + 1] ?? 0) - last - 1 <= 2 * context) last = changed[++g] ?? last;
    g++;
    hunks.push(toHunk(script, oldLines, newLines, Math.max(0, first - context), Math.min(script.length - 1, last + context)));
  }
  return hunks;
}

/**
 * A standard unified diff (`--- a/path`, `+++ b/path`, `@@ -l,s +l,s @@`); '' when nothing changed.
 * Lines are printed without their terminators (a CRLF file reads like an LF one), so a line whose only
 * change is its terminator shows as the same text removed and added.
 */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedDiffOptions): string {
  const hunks = diffHunks(oldText, newText, options.context ?? 3);
  if (hunks.length === 0) return '';
  const out = [`--- a/${options.path}`, `+++ b/${options.path}`];
  for (const hunk of hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) {
      out.push(`${line.kind === 'add' ? '+' : line.kind === 'remove' ? '-' : ' '}${line.text}`);
      if (line.eol === '') out.push('\\ No newline at end of file');
    }
  }
  return out.join('\n') + '\n';
}

const contextRow = 0;
const removeRow = 1;
const addRow = 2;
const kindNames = ['context', 'remove', 'add'] as const;

/**
 * The edit script as parallel typed arrays, one entry per output row: objects are made only for the
 * few rows that end up in hunks, which keeps 10,000-line files fast.
 */
interface EditScript {
  readonly length: number;
  readonly kinds: Uint8Array;
  /** Old/new lines before this row; for a context or remove row, its old index (likewise new). */
  readonly oldIndex: Int32Array;
  readonly newIndex: Int32Array;
}

function editScript(oldLines: readonly Line[], newLines: readonly Line[]): EditScript {
  // Intern each distinct line to a number (terminator folded in) so the diff compares integers.
  const ids = new Map<string, number>();
  const eolCode = { '': 0, '\n': 1, '\r\n': 2, '\r': 3 } as const;
  const intern = (lines: readonly Line[]): Int32Array => Int32Array.from(lines, (line) => {
    let id = ids.get(line.text);
    if (id === undefined) {
      id = ids.size;
      ids.set(line.text, id);
    }
    return id * 4 + eolCode[line.eol];
  });
  const { removed, added } = myersMarks(intern(oldLines), intern(newLines));
  const size = oldLines.length + newLines.length;
  const kinds = new Uint8Array(size);
  const oldIndex = new Int32Array(size);
  const newIndex = new Int32Array(size);
  let i = 0;
  let j = 0;
  let row = 0;
  for (; i < oldLines.length || j < newLines.length; row++) {
    oldIndex[row] = i;
    newIndex[row] = j;
    // Within a change, removals come before additions, as diff -u prints them.
    if (i < oldLines.length && (removed[i] === 1 || j >= newLines.length)) {
      kinds[row] = removeRow;
      i++;
    } else if (j < newLines.length && (added[j] === 1 || i >= oldLines.length)) {
      kinds[row] = addRow;
      j++;
    } else {
      kinds[row] = contextRow;
      i++;
      j++;
    }
  }
  return { length: row, kinds, oldIndex, newIndex };
}

function toHunk(script: EditScript, oldLines: readonly Line[], newLines: readonly Line[], from: number, to: number): DiffHunk {
  const lines: DiffLine[] = [];
  let oldCount = 0;
  let newCount = 0;
  for (let row = from; row <= to; row++) {
    const kind = script.kinds[row] ?? contextRow;
    const line = kind === addRow ? newLines[script.newIndex[row] ?? 0] : oldLines[script.oldIndex[row] ?? 0];
    if (kind !== addRow) oldCount++;
    if (kind !== removeRow) newCount++;
    lines.push({ kind: kindNames[kind] ?? 'context', text: line?.text ?? '', eol: line?.eol ?? '' });
  }
  const oldBefore = script.oldIndex[from] ?? 0;
  const newBefore = script.newIndex[from] ?? 0;
  return {
    oldStart: oldCount === 0 ? oldBefore : oldBefore + 1,
    oldLines: oldCount,
    newStart: newCount === 0 ? newBefore : newBefore + 1,
    newLines: newCount,
    lines,
  };
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
