import * as vscode from 'vscode';
import { restrictedModeMessage } from '../../protocol/restrictedMode';
import { commandIds, reviewCommandIds } from '../commands';
import { manageTrustCommand, manageTrustLabel } from '../restrictedMode';
import { proposalUri } from '../review/proposalDocuments';
import { describePhase, type RunController } from '../runs/runController';
import { findStep, inlineText, renderPlan, renderStepExplanation, renderStepLine } from './chatMarkdown';
import { intentOf, runOfHistory, type ChatResultMetadata } from './chatIntent';
import { ChatProgress, stopOf, type RunSnapshot, type RunStop } from './chatProgress';
import { followRun, snapshotOf } from './runFollower';

/** The participant's id in package.json `chatParticipants`; users call it `@plumbline`. */
export const chatParticipantId = 'plumbline.chat';

/**
 * `@plumbline` in VS Code's Chat view: a request starts a run through the same RunController the
 * sidebar and the palette use; the answer streams the plan and each step's outcome, and ends where
 * the run needs the user (the plan's approval, the inline review) or when it finishes, with buttons
 * for what to do next. Later requests in the same chat ("run it", "cancel", "why did step 2 fail")
 * find the run in the chat's history (the result's metadata). What the run's models and tests wrote
 * is escaped by `chatMarkdown.ts`; buttons and anchors are response parts of their own.
 */
export function createChatHandler(runs: RunController): vscode.ChatRequestHandler {
  return async (request, context, stream, token) => {
    if (!vscode.workspace.isTrusted) {
      stream.markdown(inlineText(restrictedModeMessage));
      stream.button({ command: manageTrustCommand, title: manageTrustLabel });
      return {};
    }
    const intent = intentOf(request.command, request.prompt);
    const known = runOfHistory(context.history, chatParticipantId);
    const chat = new ChatAnswer(runs, stream, token);
    switch (intent.kind) {
      case 'task':
        return intent.task === '' ? chat.help(known) : chat.startTask(intent.task);
      case 'approve':
        return chat.approve(known);
      case 'cancel':
        return chat.cancel(known);
      case 'status':
        return chat.status(known);
      case 'review':
        return chat.openReview(known);
      case 'explain':
        return chat.explain(known, intent.step);
    }
  };
}

/** Registers the participant with its icon and its follow-up suggestions. */
export function registerChatParticipant(runs: RunController, extensionUri: vscode.Uri): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(chatParticipantId, createChatHandler(runs));
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
  participant.followupProvider = { provideFollowups: (result) => followupsFor(result.metadata) };
  return new vscode.Disposable(() => participant.dispose());
}

/** What to suggest after an answer: the natural next words for where the run stopped. */
export function followupsFor(metadata: unknown): vscode.ChatFollowup[] {
  const known = runOfHistory([{ participant: chatParticipantId, result: { metadata } }], chatParticipantId);
  switch (known?.stop) {
    case 'approval':
      return [
        { prompt: 'run it', label: 'Run the plan' },
        { prompt: 'cancel', label: 'Cancel the run' },
      ];
    case 'review':
      return [{ prompt: 'open the review', label: 'Open the review' }];
    case 'finished':
      return [{ prompt: 'why did it fail', label: 'Why did a step fail?' }];
    default:
      return [];
  }
}

/** One answer in the chat: the stream it writes to, and the run it talks about. */
class ChatAnswer {
  constructor(
    private readonly runs: RunController,
    private readonly stream: vscode.ChatResponseStream,
    private readonly token: vscode.CancellationToken,
  ) {}

  async startTask(task: string): Promise<vscode.ChatResult> {
    if (this.runs.running) {
      this.stream.markdown(`A Plumbline run is in progress: ${inlineText(this.runs.view?.task ?? '', 200)}. Wait for it, or cancel it first.`);
      this.stream.button({ command: commandIds.cancelRun, title: 'Cancel Run' });
      return this.runs.view === undefined ? {} : { metadata: metadataOf(this.runs.view.runId, 'watching') };
    }
    let runId: string;
    try {
      this.stream.progress('Starting the run…');
      runId = await this.runs.start(task);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.stream.markdown(`Plumbline could not start the task: ${inlineText(message, 1000)}`);
      this.stream.button({ command: commandIds.configureModels, title: 'Configure Models…' });
      this.stream.button({ command: commandIds.showLog, title: 'Open Log' });
      return { errorDetails: { message: `Plumbline could not start the task: ${message}` } };
    }
    return this.follow(runId, undefined);
  }

  async approve(known: ChatResultMetadata | undefined): Promise<vscode.ChatResult> {
    const snapshot = this.current(known);
    if (snapshot === undefined) return this.noRun(known);
    if (snapshot.awaitingApproval) {
      this.runs.answerApproval(snapshot.runId, 'approve');
      this.stream.progress('Running the plan…');
    } else if (snapshot.finished !== undefined) {
      return this.status(known);
    }
    return this.follow(snapshot.runId, snapshot);
  }

  async cancel(known: ChatResultMetadata | undefined): Promise<vscode.ChatResult> {
    const snapshot = this.current(known);
    if (snapshot === undefined) return this.noRun(known);
    if (snapshot.finished !== undefined) {
      this.stream.markdown('That run has already finished: there is nothing to cancel.');
      return { metadata: metadataOf(snapshot.runId, 'finished') };
    }
    if (snapshot.awaitingApproval) this.runs.answerApproval(snapshot.runId, 'cancel');
    else await this.runs.cancel();
    this.stream.progress('Cancelling the run…');
    return this.follow(snapshot.runId, snapshot);
  }

  status(known: ChatResultMetadata | undefined): vscode.ChatResult {
    const snapshot = this.current(known);
    const view = this.runs.view;
    if (snapshot === undefined || view === undefined) return this.noRun(known);
    this.stream.markdown(`Run ${inlineText(snapshot.runId)}: ${inlineText(describePhase(view))}.`);
    if (snapshot.plan !== undefined && snapshot.plan.steps.length > 0) {
      this.stream.markdown(`\n\n${renderPlan(snapshot.plan)}`);
      const ended = snapshot.plan.steps.flatMap((step, index) => (['pending', 'running', 'verifying'].includes(step.status) ? [] : [renderStepLine(step, index)]));
      if (ended.length > 0) this.stream.markdown(`\n\n${ended.join('\n\n')}`);
    }
    const stop = stopOf(snapshot);
    this.offer(snapshot, stop);
    return { metadata: metadataOf(snapshot.runId, stop ?? 'watching') };
  }

  async openReview(known: ChatResultMetadata | undefined): Promise<vscode.ChatResult> {
    const snapshot = this.current(known);
    if (snapshot === undefined) return this.noRun(known);
    if (stopOf(snapshot) !== 'review') {
      this.stream.markdown('No review is open for this run right now.');
      return this.status(known);
    }
    await vscode.commands.executeCommand(reviewCommandIds.nextHunk, { runId: snapshot.runId });
    this.offer(snapshot, 'review');
    return { metadata: metadataOf(snapshot.runId, 'review') };
  }

  explain(known: ChatResultMetadata | undefined, reference: string | undefined): vscode.ChatResult {
    const snapshot = this.current(known);
    if (snapshot === undefined) return this.noRun(known);
    const plan = snapshot.plan;
    const found = plan === undefined ? undefined : findStep(plan, reference);
    if (found === undefined) {
      this.stream.markdown(
        plan === undefined
          ? 'This run has no plan yet.'
          : reference === undefined
            ? 'No step of this run has failed.'
            : `This run's plan has no step ${inlineText(reference, 40)}: its steps are ${plan.steps.map((step, index) => `${String(index + 1)} \`${step.id}\``).join(', ')}.`,
      );
    } else {
      this.stream.markdown(renderStepExplanation(found.step, found.index));
    }
    const stop = stopOf(snapshot);
    return { metadata: metadataOf(snapshot.runId, stop ?? 'watching') };
  }

  help(known: ChatResultMetadata | undefined): vscode.ChatResult {
    this.stream.markdown('Say what to change (for example "rename greet to welcome and update its callers"): Plumbline plans it, runs each step in an isolated copy, verifies it with your tests, and opens the verified change for your review. Later, ask "status", "run it", "cancel" or "why did step 2 fail".');
    return known === undefined ? {} : { metadata: known };
  }

  /** Streams the run until it stops for the user or ends, then offers what to do next. */
  private async follow(runId: string, seen: RunSnapshot | undefined): Promise<vscode.ChatResult> {
    const progress = new ChatProgress(seen);
    let said = '';
    const stop = await followRun(
      this.runs,
      runId,
      (snapshot) => {
        for (const piece of progress.next(snapshot)) this.stream.markdown(`\n\n${piece}\n\n`);
        const view = this.runs.view;
        const now = view === undefined || stopOf(snapshot) !== undefined ? '' : describePhase(view);
        if (now !== '' && now !== said) this.stream.progress(`${now[0]?.toUpperCase() ?? ''}${now.slice(1)}…`);
        said = now;
      },
      this.token,
    );
    if (stop === undefined) {
      this.stream.markdown('\n\nAnother run has replaced this one; ask "status" about the current one.');
      return {};
    }
    if (stop === 'cancelled') return { metadata: metadataOf(runId, 'watching') };
    const snapshot = snapshotOf(this.runs, runId);
    if (snapshot !== undefined) this.offer(snapshot, stop);
    return { metadata: metadataOf(runId, stop) };
  }

  /** What the user can do where the run stopped: buttons (never markdown command links) and anchors. */
  private offer(snapshot: RunSnapshot, stop: RunStop | undefined): void {
    const planPath = this.runs.view?.runId === snapshot.runId ? this.runs.view.planPath : undefined;
    switch (stop) {
      case 'approval':
        this.stream.markdown('\n\nThe plan waits for your approval. Edit it in plan.md if you like, then run it (or say "run it").\n\n');
        if (planPath !== undefined) this.stream.anchor(vscode.Uri.file(planPath), 'plan.md');
        this.stream.button({ command: commandIds.approvePlan, title: 'Run Plan' });
        this.stream.button({ command: commandIds.openPlan, title: 'Open Plan' });
        this.stream.button({ command: commandIds.cancelRun, title: 'Cancel' });
        break;
      case 'review': {
        const files = snapshot.reviewFiles ?? [];
        this.stream.markdown('\n\nThe verified changes wait for your review in the editor; nothing has landed in your files yet. Accept or reject each hunk there; the run finishes when you have decided. Review: ');
        for (const path of files) this.stream.anchor(proposalUri(snapshot.runId, path, 'proposed'), path);
        this.stream.markdown('\n\n');
        this.stream.button({ command: reviewCommandIds.nextHunk, title: 'Open Review', arguments: [{ runId: snapshot.runId }] });
        this.stream.button({ command: commandIds.cancelRun, title: 'Cancel' });
        break;
      }
      case 'finished':
        if (planPath !== undefined) {
          this.stream.markdown('\n\nThe plan, with each step\'s evidence: ');
          this.stream.anchor(vscode.Uri.file(planPath), 'plan.md');
        }
        if ((snapshot.finished?.applied.length ?? 0) > 0) this.stream.button({ command: commandIds.undoRun, title: 'Undo Run', arguments: [snapshot.runId] });
        break;
      default:
        this.stream.button({ command: commandIds.cancelRun, title: 'Cancel' });
        break;
    }
  }

  /** The run this chat talks about, while it is the controller's run. */
  private current(known: ChatResultMetadata | undefined): RunSnapshot | undefined {
    return known === undefined ? undefined : snapshotOf(this.runs, known.runId);
  }

  private noRun(known: ChatResultMetadata | undefined): vscode.ChatResult {
    if (known === undefined) {
      this.stream.markdown('This chat has not started a Plumbline run yet: say what to change.');
      return {};
    }
    this.stream.markdown(`Run ${inlineText(known.runId)} is no longer the current one. Its plan and transcript are under Open Past Run.`);
    this.stream.button({ command: commandIds.openRun, title: 'Open Past Run', arguments: [known.runId] });
    return { metadata: known };
  }
}

function metadataOf(runId: string, stop: ChatResultMetadata['stop']): ChatResultMetadata {
  return { runId, stop };
}
