import * as vscode from 'vscode';
import type { FileChange, ReviewDecisions } from '../../protocol/run';
import { HunkDecorations } from './hunkDecorations';
import { layoutFile, type HunkLayout } from './hunkLayout';
import { parseProposalUri, proposalUri, type ProposalSide } from './proposalDocuments';
import { closeTabsShowing, showLine } from './proposalEditors';
import type { LensSubject } from './reviewCodeLens';
import { reviewCommandIds } from '../commands';
import type { ReviewCommand, ReviewCommandTarget } from './reviewCommands';
import { hunkAtLine, type HoverSubject, type ReviewEvidence } from './reviewHover';
import { nextPending, step, stopsOf, type Position, type Stop } from './reviewNavigation';
import { ReviewState, unitsOf, type HunkStatus } from './reviewState';
import type { ShownFinding } from './reviewFindings';

export interface ReviewRequest {
  readonly runId: string;
  readonly files: readonly FileChange[];
  readonly evidence: readonly ReviewEvidence[];
  /** The reviewer's findings, shown in the hover of the change they are about. */
  readonly findings?: readonly ShownFinding[];
}

/** A file to show once the review's accepted changes have landed, and the line to show. */
export interface LandedFocus {
  readonly path: string;
  readonly line: number;
}

interface ReviewFile {
  readonly change: FileChange;
  readonly layouts: readonly HunkLayout[];
  readonly uris: Readonly<Record<ProposalSide, vscode.Uri>>;
}

interface Found {
  readonly file: ReviewFile;
  readonly index: number;
  readonly side: ProposalSide;
}

/** A command's file (and hunk): from its argument, else from the active editor's cursor. */
interface Target {
  readonly index: number;
  /** A hunk id (or, for a file decided as a whole, its path: `unitsOf`). */
  readonly hunk: string | undefined;
  readonly fromCursor: boolean;
}

/**
 * One review in progress: its files, decisions, decorations and editors. It ends when every change
 * is decided, on Finish Review (undecided changes rejected, after a confirmation), or when cancelled
 * (everything rejected); then it closes its editors and `result` resolves.
 */
export class ReviewSession implements ReviewCommandTarget, vscode.Disposable {
  readonly runId: string;
  readonly state: ReviewState;
  readonly result: Promise<ReviewDecisions>;
  private readonly files: readonly ReviewFile[];
  private readonly stops: readonly Stop[];
  private readonly evidence: readonly ReviewEvidence[];
  private readonly findings: readonly ShownFinding[];
  private readonly decorations = new HunkDecorations();
  /** What each editor was last painted with (its hunks' statuses): the same again is not resent. */
  private readonly painted = new WeakMap<vscode.TextEditor, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly statusItem = vscode.window.createStatusBarItem('plumbline.review', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: { dispose(): unknown }[];
  private settle: (decisions: ReviewDecisions) => void = () => undefined;
  private ended = false;
  /** The file the user decided last: the one to show them once what they accepted has landed. */
  private lastDecided: number | undefined;
  readonly onDidChange = this.changed.event;

  constructor(request: ReviewRequest) {
    this.runId = request.runId;
    this.evidence = request.evidence;
    this.findings = request.findings ?? [];
    this.state = new ReviewState(request.files);
    this.files = request.files.map((change) => ({
      change,
      layouts: layoutFile(change),
      uris: { proposed: proposalUri(this.runId, change.path, 'proposed'), original: proposalUri(this.runId, change.path, 'original'), compare: proposalUri(this.runId, change.path, 'compare') },
    }));
    this.stops = stopsOf(this.files.map((file) => ({ path: file.change.path, layouts: file.layouts })));
    this.result = new Promise((resolve) => (this.settle = resolve));
    this.statusItem.name = 'Plumbline Review';
    this.statusItem.command = reviewCommandIds.nextHunk;
    this.subscriptions = [this.changed, this.statusItem, this.decorations, vscode.window.onDidChangeVisibleTextEditors((editors) => this.decorate(editors))];
    this.updateStatus();
  }

  lookup(uri: vscode.Uri): Found | undefined {
    const address = parseProposalUri(uri);
    if (address?.runId !== this.runId) return undefined;
    const index = this.files.findIndex((file) => file.change.path === address.path);
    const file = this.files[index];
    return file === undefined ? undefined : { file, index, side: address.side };
  }

  owns(uri: vscode.Uri): boolean {
    return this.lookup(uri) !== undefined;
  }

  /** What the CodeLens and hover providers read about a document of this review. */
  subject(uri: vscode.Uri): (LensSubject & HoverSubject) | undefined {
    const found = this.lookup(uri);
    if (found === undefined) return undefined;
    const path = found.file.change.path;
    return {
      runId: this.runId,
      path,
      side: found.side,
      layouts: found.file.layouts,
      stepIds: found.file.change.stepIds,
      protectedReason: found.file.change.protectedReason,
      evidence: this.evidence,
      findings: this.findings,
      status: (hunk) => this.state.status(path, hunk),
      tally: () => this.state.tally(path),
    };
  }

  /**
   * Opens every file's proposal (the first one focused, on its first change) and paints them. Each
   * editor is painted as soon as it is shown, and the first file takes one round trip to the
   * workbench: shown, focused and on its first change at once.
   */
  async open(): Promise<void> {
    const first = this.files[0];
    if (first === undefined) return;
    // More files: open them in order first, so their tabs read in the order of the files.
    if (this.files.length > 1) {
      for (const file of this.files) {
        if (this.ended) return;
        this.decorate([await vscode.window.showTextDocument(file.uris.proposed, { preview: false, preserveFocus: true })]);
      }
    }
    if (this.ended) return;
    const line = this.stops[0]?.line ?? 0;
    const editor = await vscode.window.showTextDocument(first.uris.proposed, { preview: false, selection: new vscode.Range(line, 0, line, 0) });
    this.decorate([editor]);
    // Cancelled while the editors were opening: close what opened after the first close.
    if (this.ended) await closeTabsShowing((uri) => this.owns(uri));
  }

  async run(command: ReviewCommand, argument: unknown): Promise<void> {
    if (this.ended) return;
    switch (command) {
      case 'acceptHunk':
      case 'rejectHunk':
        return this.decideHunk(argument, command === 'acceptHunk' ? 'accepted' : 'rejected');
      case 'acceptFile':
      case 'rejectFile':
        return this.decideFile(argument, command === 'acceptFile' ? 'accepted' : 'rejected');
      case 'acceptAll':
      case 'rejectAll':
        this.state.decideAll(command === 'acceptAll' ? 'accepted' : 'rejected');
        return this.decided(undefined);
      case 'nextHunk':
      case 'previousHunk': {
        const stop = step(this.stops, this.position(), command === 'nextHunk' ? 1 : -1);
        if (stop !== undefined) await this.reveal(stop);
        return;
      }
      case 'openDiff':
        return this.openDiff(argument);
      case 'finish':
        return this.confirmFinish();
    }
  }

  /**
   * Once the review has ended: the file to show the user with what landed (the one they decided
   * last, else the first), and where its first accepted change is in the proposed text; undefined
   * when nothing of a file that stays was accepted.
   */
  landedFocus(): LandedFocus | undefined {
    const accepted = (index: number): LandedFocus | undefined => {
      const file = this.files[index];
      if (file === undefined || file.change.kind === 'delete') return undefined;
      const path = file.change.path;
      const units = unitsOf(file.change).filter((unit) => this.state.status(path, unit) === 'accepted');
      if (units.length === 0) return undefined;
      const layout = file.layouts.find((candidate) => units.includes(candidate.id));
      return { path, line: layout?.firstInProposal ?? 0 };
    };
    return (this.lastDecided === undefined ? undefined : accepted(this.lastDecided)) ?? this.files.map((_, index) => accepted(index)).find((focus) => focus !== undefined);
  }

  /** Ends the review with everything rejected. */
  cancel(): Promise<void> {
    return this.end({ decisions: [] });
  }

  dispose(): void {
    if (!this.ended) void this.cancel();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private async decideHunk(argument: unknown, status: HunkStatus): Promise<void> {
    const target = this.target(argument);
    const file = target === undefined ? undefined : this.files[target.index];
    if (target === undefined || file === undefined || target.hunk === undefined) {
      void vscode.window.showInformationMessage('Put the cursor on a proposed change first (Plumbline: Next Proposed Change, Alt+F5).');
      return;
    }
    this.state.decideHunk(file.change.path, target.hunk, status);
    this.lastDecided = target.index;
    await this.decided(target);
  }

  private async decideFile(argument: unknown, status: HunkStatus): Promise<void> {
    const target = this.target(argument);
    const file = target === undefined ? undefined : this.files[target.index];
    if (target === undefined || file === undefined) {
      void vscode.window.showInformationMessage('Open a proposed file of the review first.');
      return;
    }
    this.state.decideFile(file.change.path, status);
    this.lastDecided = target.index;
    await this.decided(target);
  }

  /** After a decision: repaint, end when nothing is left, else (from the keyboard) go to the next undecided change. */
  private async decided(target: Target | undefined): Promise<void> {
    this.changed.fire();
    this.decorate(vscode.window.visibleTextEditors);
    this.updateStatus();
    if (this.state.isComplete()) {
      const { accepted, total } = this.state.tally();
      vscode.window.setStatusBarMessage(`Plumbline: review finished, ${accepted} of ${total} change${total === 1 ? '' : 's'} accepted`, 5000);
      await this.end(this.state.decisions());
      return;
    }
    if (target?.fromCursor !== true) return;
    const next = nextPending(this.stops, this.position(), (stop) => this.state.status(this.files[stop.file]?.change.path ?? '', stop.hunk) === 'pending');
    if (next !== undefined) await this.reveal(next);
  }

  /** Asks in a quick pick (Enter finishes, Escape keeps reviewing) when changes are still undecided. */
  private async confirmFinish(): Promise<void> {
    const { pending } = this.state.tally();
    if (pending > 0) {
      const finish: vscode.QuickPickItem = { label: '$(pass-filled) Finish Review', description: `reject the ${pending} undecided change${pending === 1 ? '' : 's'}` };
      const answer = await vscode.window.showQuickPick([finish, { label: '$(arrow-left) Keep Reviewing' }], {
        title: `${pending} proposed change${pending === 1 ? ' is' : 's are'} still undecided`,
        placeHolder: 'Finishing rejects them: only the changes you accepted are applied.',
      });
      if (answer !== finish || this.ended) return;
    }
    await this.end(this.state.decisions());
  }

  private async openDiff(argument: unknown): Promise<void> {
    const target = this.target(argument);
    const file = this.files[target?.index ?? 0];
    if (file === undefined) return;
    const label = { create: 'new file', delete: 'deleted', modify: 'Original ↔ Proposed' }[file.change.kind];
    await vscode.commands.executeCommand('vscode.diff', file.uris.original, file.uris.compare, `${file.change.path} (${label})`, { preview: false });
  }

  private async end(decisions: ReviewDecisions): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.changed.fire();
    this.statusItem.hide();
    await closeTabsShowing((uri) => this.owns(uri));
    for (const subscription of this.subscriptions) subscription.dispose();
    this.settle(decisions);
  }

  private target(argument: unknown): Target | undefined {
    if (argument instanceof vscode.Uri) {
      const found = this.lookup(argument);
      return found === undefined ? undefined : { index: found.index, hunk: undefined, fromCursor: false };
    }
    if (typeof argument === 'object' && argument !== null && 'path' in argument) {
      const index = this.files.findIndex((file) => file.change.path === argument.path);
      const hunk = 'hunk' in argument && typeof argument.hunk === 'string' ? argument.hunk : undefined;
      return index < 0 ? undefined : { index, hunk, fromCursor: false };
    }
    const editor = vscode.window.activeTextEditor;
    const found = editor === undefined ? undefined : this.lookup(editor.document.uri);
    if (editor === undefined || found === undefined) return undefined;
    const hunk = found.file.layouts.length === 0 ? unitsOf(found.file.change)[0] : hunkAtLine(found.file.layouts, found.side, editor.selection.active.line, 'context')?.id;
    return { index: found.index, hunk, fromCursor: true };
  }

  /** Where the cursor is, when it is in one of this review's documents. */
  private position(): Position | undefined {
    const editor = vscode.window.activeTextEditor;
    const found = editor === undefined ? undefined : this.lookup(editor.document.uri);
    return editor === undefined || found === undefined ? undefined : { file: found.index, line: editor.selection.active.line };
  }

  private async reveal(stop: Stop): Promise<void> {
    const file = this.files[stop.file];
    if (file === undefined) return;
    // Stay in Open Diff's right side when it shows this file: there the change is at its line in the proposed text.
    const active = vscode.window.activeTextEditor;
    const inDiff = active !== undefined && active.document.uri.toString() === file.uris.compare.toString() && file.change.kind !== 'delete';
    const layout = file.layouts.find((candidate) => candidate.id === stop.hunk);
    await showLine(inDiff ? file.uris.compare : file.uris.proposed, inDiff && layout !== undefined ? layout.firstInProposal : stop.line);
  }

  private decorate(editors: readonly vscode.TextEditor[]): void {
    if (this.ended) return;
    for (const editor of editors) {
      const found = this.lookup(editor.document.uri);
      if (found?.side !== 'proposed') continue;
      const path = found.file.change.path;
      const statusOf = (hunk: string): HunkStatus => this.state.status(path, hunk) ?? 'pending';
      const signature = found.file.layouts.map((layout) => statusOf(layout.id)).join();
      if (this.painted.get(editor) === signature) continue;
      this.painted.set(editor, signature);
      this.decorations.apply(editor, found.file.layouts, statusOf);
    }
  }

  private updateStatus(): void {
    const { accepted, rejected, pending, total } = this.state.tally();
    this.statusItem.text = `$(diff) Review: ${accepted + rejected}/${total} decided`;
    this.statusItem.tooltip = `Plumbline review: ${accepted} accepted, ${rejected} rejected, ${pending} undecided. Click for the next change.`;
    this.statusItem.show();
  }
}
