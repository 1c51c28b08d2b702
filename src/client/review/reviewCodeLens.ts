import * as vscode from 'vscode';
import { reviewCommandIds } from '../commands';
import type { ReviewCommand, ReviewCommandArgument } from './reviewCommands';
import type { HunkLayout } from './hunkLayout';
import { protectedTitle } from './reviewHover';
import type { ProposalSide } from './proposalDocuments';
import type { HunkStatus, Tally } from './reviewState';

/**
 * The CodeLenses of a proposal: at the top, the file's decisions (Accept File, Reject File, Open
 * Diff) and how far its review is; above each change, ✓ Accept and ✗ Reject, which read
 * "✓ Accepted" / "✗ Rejected" once decided (either can still be chosen to change one's mind).
 */
export interface LensSubject {
  readonly runId: string;
  readonly path: string;
  readonly side: ProposalSide;
  readonly layouts: readonly HunkLayout[];
  /** Set for a file that runs code (FileChange.protectedReason): a warning lens comes first. */
  readonly protectedReason?: string | undefined;
  status(hunk: string): HunkStatus | undefined;
  tally(): Tally;
}

export const lensTitles = {
  acceptFile: 'Accept File',
  rejectFile: 'Reject File',
  openDiff: 'Open Diff',
  accept: '✓ Accept',
  accepted: '✓ Accepted',
  reject: '✗ Reject',
  rejected: '✗ Rejected',
} as const;

/** Key names for tooltips, as the keybindings in package.json define them per platform. */
const mod = process.platform === 'darwin' ? 'Cmd' : 'Ctrl';

function lens(line: number, title: string, command: ReviewCommand | '', argument: ReviewCommandArgument, tooltip: string): vscode.CodeLens {
  const id = command === '' ? '' : reviewCommandIds[command];
  return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title, command: id, arguments: [argument], tooltip });
}

function progress(tally: Tally): string {
  if (tally.pending === 0) return `all ${tally.total} decided`;
  const decided = tally.accepted + tally.rejected;
  return `${decided} of ${tally.total} change${tally.total === 1 ? '' : 's'} decided`;
}

export class ReviewCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly find: (uri: vscode.Uri) => LensSubject | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const subject = this.find(document.uri);
    if (subject === undefined || subject.side === 'original') return [];
    const file: ReviewCommandArgument = { runId: subject.runId, path: subject.path };
    const lenses = [
      ...(subject.protectedReason !== undefined ? [lens(0, protectedTitle(subject.path), '', file, `Not applied unless you accept it, whatever the approval mode: ${subject.protectedReason}.`)] : []),
      lens(0, lensTitles.acceptFile, 'acceptFile', file, `Accept every change in this file (${mod}+Shift+Enter)`),
      lens(0, lensTitles.rejectFile, 'rejectFile', file, `Reject every change in this file (${mod}+Shift+Backspace)`),
    ];
    if (subject.side === 'proposed') lenses.push(lens(0, lensTitles.openDiff, 'openDiff', file, `Compare with the original side by side (${mod}+K D)`));
    lenses.push(lens(0, progress(subject.tally()), '', file, 'Undecided changes are rejected when the review finishes'));
    for (const layout of subject.layouts) {
      const status = subject.status(layout.id);
      const hunk: ReviewCommandArgument = { ...file, hunk: layout.id };
      lenses.push(
        lens(layout.first, status === 'accepted' ? lensTitles.accepted : lensTitles.accept, 'acceptHunk', hunk, `Accept this change (${mod}+Enter)`),
        lens(layout.first, status === 'rejected' ? lensTitles.rejected : lensTitles.reject, 'rejectHunk', hunk, `Reject this change (${mod}+Backspace)`),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
