import { applySearchReplace, decodeFile, diffHunks, encodeFile, type DiffHunk } from '../edits';

/**
 * Lands part of a proposed change: exactly the accepted hunks, onto the file as it is NOW. When the
 * user has not touched the file since the proposal, the hunks apply to the proposal's base. When they
 * have, each accepted hunk is placed by its own lines in the current text (like a rebase); if one no
 * longer fits, the whole file is refused rather than guessed at, so the user's edits are never lost.
 */

export type Selection =
  | { readonly kind: 'write'; readonly bytes: Uint8Array }
  | { readonly kind: 'delete' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'conflict'; readonly reason: string };

export interface ProposedFile {
  readonly path: string;
  readonly before: Uint8Array | undefined;
  readonly after: Uint8Array | undefined;
}

function joinLines(lines: readonly { readonly text: string; readonly eol: string }[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}

/** A hunk as a search/replace block: its context and removed lines become its context and added lines. */
function asBlock(hunk: DiffHunk): { oldText: string; newText: string } {
  return {
    oldText: joinLines(hunk.lines.filter((line) => line.kind !== 'add')),
    newText: joinLines(hunk.lines.filter((line) => line.kind !== 'remove')),
  };
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));

export function selectHunks(file: ProposedFile, accepted: ReadonlySet<number>, current: Uint8Array | undefined): Selection {
  const hunks = hunksOf(file);
  const all = hunks === undefined || hunks.every((_, index) => accepted.has(index));
  if (accepted.size === 0) return { kind: 'unchanged' };
  const untouched = sameBytes(current, file.before);
  // Creating, deleting and binary changes are all-or-nothing.
  if (file.before === undefined || file.after === undefined || hunks === undefined) {
    if (!untouched) return { kind: 'conflict', reason: `${file.path} changed after the proposal was made; it was not overwritten` };
    return file.after === undefined ? { kind: 'delete' } : { kind: 'write', bytes: file.after };
  }
  if (all && untouched) return { kind: 'write', bytes: file.after };
  if (untouched) {
    const before = decodeFile(file.before);
    if (before.kind !== 'text') return { kind: 'conflict', reason: `${file.path} is not a text file` };
    return { kind: 'write', bytes: encodeFile(applyAtPositions(before.text, hunks, accepted), before.format) };
  }
  if (current === undefined) return { kind: 'conflict', reason: `${file.path} was deleted after the proposal was made` };
  const base = decodeFile(current);
  if (base.kind !== 'text') return { kind: 'conflict', reason: `${file.path} is no longer a text file` };
  const blocks = hunks.filter((_, index) => accepted.has(index)).map(asBlock);
  const outcome = applySearchReplace(base.text, blocks, { lineEnding: base.format.lineEnding });
  if (outcome.failedCount > 0) {
    return { kind: 'conflict', reason: `${file.path} changed after the proposal was made and the accepted changes no longer fit; your version was kept` };
  }
  return { kind: 'write', bytes: encodeFile(outcome.text, base.format) };
}

/** Applies the accepted hunks by their line numbers: exact when the file is the proposal's base. */
function applyAtPositions(text: string, hunks: readonly DiffHunk[], accepted: ReadonlySet<number>): string {
  const lines = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  const out: string[] = [];
  let next = 0; // 0-based index of the first old line not yet copied
  hunks.forEach((hunk, index) => {
    if (!accepted.has(index)) return;
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    out.push(...lines.slice(next, start));
    out.push(joinLines(hunk.lines.filter((line) => line.kind !== 'remove')));
    next = start + hunk.oldLines;
    // The hunk's own context lines were re-emitted above: skip them on the old side too.
  });
  out.push(...lines.slice(next));
  return out.join('');
}

/** The hunks a reviewer sees for a file, or undefined when it is not text on both sides. */
export function hunksOf(file: ProposedFile): DiffHunk[] | undefined {
  const before = file.before === undefined ? { kind: 'text' as const, text: '' } : decodeFile(file.before);
  const after = file.after === undefined ? { kind: 'text' as const, text: '' } : decodeFile(file.after);
  if (before.kind !== 'text' || after.kind !== 'text') return undefined;
  return diffHunks(before.text, after.text);
}
