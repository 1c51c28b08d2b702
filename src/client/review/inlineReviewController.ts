import * as vscode from 'vscode';
import type { ReviewDecisions } from '../../protocol/run';
import { acquireProposalDecorations, parseProposalUri, proposalScheme, ProposalDocuments } from './proposalDocuments';
import { ReviewCodeLensProvider } from './reviewCodeLens';
import { acquireReviewCommands, addReviewTarget } from './reviewCommands';
import { ReviewHoverProvider } from './reviewHover';
import { ReviewSession, type LandedFocus, type ReviewRequest } from './reviewSession';

export type { ReviewEvidence } from './reviewHover';

/**
 * The inline diff review: the engine's proposed changes, decided per hunk and per file in
 * read-only editors of the proposal (added lines highlighted, removed lines shown where they were,
 * test evidence in the hover, ✓ Accept / ✗ Reject CodeLenses, Open Diff side by side), with
 * keyboard commands under `plumbline.review.*`. The user's files and buffers are never touched: the
 * engine lands exactly the accepted hunks afterwards.
 */
export class InlineReviewController implements vscode.Disposable {
  private readonly sessions = new Map<string, ReviewSession>();
  /** Per run, the file to show after its latest review's accepted changes land (`showLanded`). */
  private readonly landedFocus = new Map<string, LandedFocus>();
  private readonly documents = new ProposalDocuments();
  private readonly lenses: ReviewCodeLensProvider;
  private readonly subscriptions: { dispose(): unknown }[];

  constructor() {
    const selector: vscode.DocumentSelector = { scheme: proposalScheme };
    const subject = (uri: vscode.Uri): ReturnType<ReviewSession['subject']> => {
      const address = parseProposalUri(uri);
      return address === undefined ? undefined : this.sessions.get(address.runId)?.subject(uri);
    };
    this.lenses = new ReviewCodeLensProvider(subject);
    this.subscriptions = [
      this.lenses,
      vscode.workspace.registerTextDocumentContentProvider(proposalScheme, this.documents),
      vscode.languages.registerCodeLensProvider(selector, this.lenses),
      vscode.languages.registerHoverProvider(selector, new ReviewHoverProvider(subject)),
      acquireProposalDecorations(),
      acquireReviewCommands(),
    ];
  }

  /**
   * Shows the changes for review and resolves with the user's decisions: per file, the accepted
   * hunks (a file not listed is rejected). Cancelling resolves with everything rejected.
   */
  async review(request: ReviewRequest, token: vscode.CancellationToken): Promise<ReviewDecisions> {
    if (token.isCancellationRequested || request.files.length === 0) return { decisions: [] };
    // A new review of the same run replaces the old one, which ends with nothing accepted.
    await this.sessions.get(request.runId)?.cancel();
    const session = new ReviewSession(request);
    this.sessions.set(request.runId, session);
    const scoped = [
      this.documents.publish(request.runId, request.files),
      session.onDidChange(() => this.lenses.refresh()),
      token.onCancellationRequested(() => void session.cancel()),
      addReviewTarget(session),
    ];
    try {
      try {
        await session.open();
      } catch (error) {
        void vscode.window.showErrorMessage(`Plumbline could not open the review: ${error instanceof Error ? error.message : String(error)}`);
        await session.cancel();
      }
      const decisions = await session.result;
      const focus = session.landedFocus();
      if (focus === undefined) this.landedFocus.delete(request.runId);
      else this.landedFocus.set(request.runId, focus);
      return decisions;
    } finally {
      for (const disposable of scoped.reverse()) disposable.dispose();
      session.dispose();
      if (this.sessions.get(request.runId) === session) this.sessions.delete(request.runId);
      this.lenses.refresh();
    }
  }

  /**
   * After a review's accepted changes landed (`review/decided`): the proposal's tabs closed when the
   * review ended, so the user sees the result in the real file (the one they decided last), on its
   * first accepted change. Nothing is shown when that file did not land (a conflict, all rejected).
   */
  async showLanded(runId: string, applied: readonly string[]): Promise<void> {
    const focus = this.landedFocus.get(runId);
    this.landedFocus.delete(runId);
    const folder = vscode.workspace.workspaceFolders?.[0];
    // A newer review already open (step mode's next step) keeps the user's attention.
    if (focus === undefined || folder === undefined || !applied.includes(focus.path) || this.sessions.size > 0) return;
    const uri = vscode.Uri.joinPath(folder.uri, ...focus.path.split('/'));
    try {
      const editor = await vscode.window.showTextDocument(uri, { preview: true });
      const line = Math.max(0, Math.min(focus.line, editor.document.lineCount - 1));
      editor.selection = new vscode.Selection(line, 0, line, 0);
      editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch {
      // The file went away meanwhile: nothing to show.
    }
  }

  /** Ends every review in progress with nothing accepted. */
  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
