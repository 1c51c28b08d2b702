import { applySearchReplace, encodeFile, type DecodedFile } from '../edits';
import type { Hunk } from '../../protocol/run';
import { reviewCodec, type ReviewCodec } from './reviewCodec';

/**
 * Lands part of a proposed change: exactly the accepted hunks, onto the file as it is NOW. When the
 * user has not touched the file since the proposal, the hunks apply to the proposal's base. When they
 * have, each accepted hunk is placed by its own lines in the current text (like a rebase); if one no
 * longer fits, the whole file is refused rather than guessed at, so the user's edits are never lost.
 * The hunks are the change set's, as the review showed them: nothing here diffs again.
 */

export type Selection =
  | { readonly kind: 'write'; readonly bytes: Uint8Array }
  | { readonly kind: 'delete' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'conflict'; readonly reason: string };

/** A file of the change set, as landing needs it. */
export interface ProposedFile {
  readonly path: string;
  readonly before: Uint8Array | undefined;
  readonly after: Uint8Array | undefined;
  /** In file order. Empty when the file is reviewed as a whole (binary, or no line changed): all or nothing. */
  readonly hunks: readonly Hunk[];
  /** `before`, decoded once by the change set; undefined when absent or not text. */
  readonly base: DecodedFile | undefined;
}

function joinLines(lines: readonly { readonly text: string; readonly eol: string }[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}

/** A hunk as a search/replace block: its context and removed lines become its context and added lines. */
function asBlock(hunk: Hunk): { oldText: string; newText: string } {
  return {
    oldText: joinLines(hunk.lines.filter((line) => line.kind !== 'add')),
    newText: joinLines(hunk.lines.filter((line) => line.kind !== 'remove')),
  };
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));

/**
 * `accepted` names hunks by id (`resolveDecision` turns a review decision into it); `current` is the
 * file as it is now. Decodes only `current`, and only when the user changed the file meanwhile.
 */
export function selectHunks(file: ProposedFile, accepted: 'all' | ReadonlySet<string>, current: Uint8Array | undefined, codec: ReviewCodec = reviewCodec): Selection {
  if (accepted !== 'all' && accepted.size === 0) return { kind: 'unchanged' };
  const untouched = sameBytes(current, file.before);
  // Creating, deleting and changes without hunks (binary content) are all-or-nothing.
  if (file.before === undefined || file.after === undefined || file.hunks.length === 0) {
    if (!untouched) return { kind: 'conflict', reason: `${file.path} changed after the proposal was made; it was not overwritten` };
    return file.after === undefined ? { kind: 'delete' } : { kind: 'write', bytes: file.after };
  }
  const chosen = accepted === 'all' ? file.hunks : file.hunks.filter((hunk) => accepted.has(hunk.id));
  if (chosen.length === 0) return { kind: 'unchanged' };
  if (chosen.length === file.hunks.length && untouched) return { kind: 'write', bytes: file.after };
  if (untouched) {
    if (file.base === undefined) return { kind: 'conflict', reason: `${file.path} is not a text file` };
    return { kind: 'write', bytes: encodeFile(applyAtPositions(file.base.text, chosen), file.base.format) };
  }
  if (current === undefined) return { kind: 'conflict', reason: `${file.path} was deleted after the proposal was made` };
  const now = codec.decode(current);
  if (now.kind !== 'text') return { kind: 'conflict', reason: `${file.path} is no longer a text file` };
  const outcome = applySearchReplace(now.text, chosen.map(asBlock), { lineEnding: now.format.lineEnding });
  if (outcome.failedCount > 0) {
    return { kind: 'conflict', reason: `${file.path} changed after the proposal was made and the accepted changes no longer fit; your version was kept` };
  }
  return { kind: 'write', bytes: encodeFile(outcome.text, now.format) };
}

/** Applies the chosen hunks (in file order) by their line numbers: exact when the file is the proposal's base. */
function applyAtPositions(text: string, hunks: readonly Hunk[]): string {
  const lines = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  const out: string[] = [];
  let next = 0; // 0-based index of the first old line not yet copied
  for (const hunk of hunks) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    out.push(...lines.slice(next, start));
    // The hunk's own context lines are re-emitted here: they are skipped on the old side below.
    out.push(joinLines(hunk.lines.filter((line) => line.kind !== 'remove')));
    next = start + hunk.oldLines;
  }
  out.push(...lines.slice(next));
  return out.join('');
}
