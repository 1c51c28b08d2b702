import * as vscode from 'vscode';
import type { ReviewDecisions } from '../../protocol/run';
import { parseProposalUri, proposalScheme, ProposalDocuments } from './proposalDocuments';
import { ReviewCodeLensProvider } from './reviewCodeLens';
import { acquireReviewCommands, addReviewTarget } from './reviewCommands';
import { ReviewHoverProvider } from './reviewHover';
import { ReviewSession, type ReviewRequest } from './reviewSession';

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
      return await session.result;
    } finally {
      for (const disposable of scoped.reverse()) disposable.dispose();
      session.dispose();
      if (this.sessions.get(request.runId) === session) this.sessions.delete(request.runId);
      this.lenses.refresh();
    }
  }

  /** Ends every review in progress with nothing accepted. */
  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
