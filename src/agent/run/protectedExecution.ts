import { decodeFile } from '../edits';
import { protectedChangeReason } from '../workspace/protectedPaths';
import type { StagedChange } from '../workspace/stagedWorkspace';

/**
 * A file that runs code (a Makefile recipe, a test runner's configuration, package.json scripts,
 * a git hook…) never executes before the user approves it. Verification and worker commands run
 * the copy with such a change held back: the file keeps its pre-run version there, and the
 * evidence says so. Once the user approves it and it lands, later verifications use it.
 */

export interface HeldBack {
  readonly path: string;
  readonly reason: string;
}

/** The protected reason of one staged change (package.json judged by its content). */
export function changeProtection(change: StagedChange): string | undefined {
  const text = (bytes: Uint8Array | undefined): string | null => {
    if (bytes === undefined) return null;
    const decoded = decodeFile(bytes);
    // Binary content of a package.json counts as unparseable, hence protected.
    return decoded.kind === 'text' ? decoded.text : '';
  };
  return protectedChangeReason(change.path, text(change.before), text(change.after));
}

/** Splits changes into what may run now and the protected ones held back until approved. */
export function holdBackProtected(changes: readonly StagedChange[]): { runnable: StagedChange[]; held: HeldBack[] } {
  const runnable: StagedChange[] = [];
  const held: HeldBack[] = [];
  for (const change of changes) {
    const reason = changeProtection(change);
    if (reason === undefined) runnable.push(change);
    else held.push({ path: change.path, reason });
  }
  return { runnable, held };
}

/** The sentence the evidence and the worker get about held-back files. */
export function heldBackNote(held: readonly HeldBack[]): string | undefined {
  if (held.length === 0) return undefined;
  return `Ran with the pre-run version of ${held.map((entry) => entry.path).join(', ')}: ${held.length === 1 ? 'it runs' : 'they run'} code, so the change${held.length === 1 ? '' : 's'} run${held.length === 1 ? 's' : ''} only after you approve ${held.length === 1 ? 'it' : 'them'}.`;
}
