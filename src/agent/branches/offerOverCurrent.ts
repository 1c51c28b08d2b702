import { applySearchReplace, encodeFile, type DiffHunk } from '../edits';
import { reviewCodec, type ReviewCodec } from '../review/reviewCodec';
import type { BranchFileChange } from './branchChange';

/**
 * A branch's change to one file, put over the file as the user has it now: what the review offers.
 * Where the user has not touched the file since the merge base, that is the branch's version. Where
 * they have, each of the branch's hunks is placed by its own lines in the user's text (like a
 * rebase); the ones that still fit are offered, the others are named and left out, and nothing the
 * user wrote is replaced. A file the user and the branch both created, or one the user changed and
 * the branch deletes, is not offered at all.
 */
export type Offer =
  /** `after` undefined: the branch deletes the file. `notApplied`: the branch's hunks that no longer fit, in words. */
  | { readonly kind: 'offer'; readonly after: Uint8Array | undefined; readonly notApplied: readonly string[] }
  /** The file already is what the branch makes it (or the fitting hunks change nothing). */
  | { readonly kind: 'same' }
  | { readonly kind: 'refused'; readonly reason: string };

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));

const joinLines = (lines: readonly { readonly text: string; readonly eol: string }[]): string => lines.map((line) => line.text + line.eol).join('');

function describeHunk(hunk: DiffHunk): string {
  const end = hunk.oldStart + Math.max(0, hunk.oldLines - 1);
  return hunk.oldLines === 0 ? `the lines the branch adds after line ${hunk.oldStart}` : `the branch's change to lines ${hunk.oldStart}${end !== hunk.oldStart ? `–${end}` : ''}`;
}

export function offerOverCurrent(file: BranchFileChange, current: Uint8Array | undefined, codec: ReviewCodec = reviewCodec): Offer {
  const { path } = file;
  if (sameBytes(current, file.branch)) return { kind: 'same' };
  if (sameBytes(current, file.base)) return { kind: 'offer', after: file.branch, notApplied: [] };
  if (file.base === undefined) return { kind: 'refused', reason: `you have your own ${path} (the branch creates one); yours was kept` };
  if (current === undefined) return { kind: 'refused', reason: `you deleted ${path} since the branch left your history; its change to it was not offered` };
  if (file.branch === undefined) return { kind: 'refused', reason: `the branch deletes ${path}, which you changed since; your version was kept` };
  const base = codec.decode(file.base);
  const branch = codec.decode(file.branch);
  const now = codec.decode(current);
  if (base.kind !== 'text' || branch.kind !== 'text' || now.kind !== 'text') return { kind: 'refused', reason: `${path} is not a text file and you changed it since; your version was kept` };
  const hunks = codec.diff(base.text, branch.text);
  const blocks = hunks.map((hunk) => ({
    oldText: joinLines(hunk.lines.filter((line) => line.kind !== 'add')),
    newText: joinLines(hunk.lines.filter((line) => line.kind !== 'remove')),
    lineHint: hunk.oldStart,
  }));
  const outcome = applySearchReplace(now.text, blocks, { lineEnding: now.format.lineEnding, wholeLines: true });
  const notApplied = outcome.blocks.flatMap((result) => {
    const hunk = hunks[result.index];
    return result.status === 'failed' && hunk !== undefined ? [describeHunk(hunk)] : [];
  });
  if (outcome.appliedCount === 0) return { kind: 'refused', reason: `none of the branch's changes to ${path} fits your version of it any more; yours was kept` };
  const after = encodeFile(outcome.text, now.format);
  if (sameBytes(after, current)) return notApplied.length > 0 ? { kind: 'refused', reason: `what still fits of the branch's change to ${path} is already there` } : { kind: 'same' };
  return { kind: 'offer', after, notApplied };
}
