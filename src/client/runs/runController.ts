import * as vscode from 'vscode';
import { approveMcpServer } from '../mcp/mcpServerApproval';
import { mcpServerApprovalRequest, branchReviewRequest, commandApprovalRequest, planApprovalRequest, reviewRequest, runCancelRequest, runEventNotification, runResumeRequest, runStartRequest, sandboxConsentRequest } from '../../protocol/methods';
import type { Plan } from '../../protocol/plan';
import type { CommandApprovalParams, FileChange, ReviewDecisions, RunEvent, TaskScope } from '../../protocol/run';
import type { SandboxConsentParams } from '../../protocol/sandbox';
import { describeCost } from '../../protocol/cost';
import type { TestEvidence } from '../../protocol/testEvidence';
import type { AgentServerController } from '../agentServer/serverController';
import { commandIds } from '../commands';
import { commandApprovalMessage, denyButton, runOnceButton } from './commandApproval';
import { RunTranscript, type TranscriptChange } from './runTranscript';
import { answerSandboxConsent } from './sandboxConsent';
import { OpenQuestions } from './openQuestions';
import { askPlanInNotification, planQuestionText, putAwayPlanQuestion } from './planQuestion';
import { findingsOf, type ShownFinding } from '../review/reviewFindings';

/** Run Plan (`plumbline.approvePlan`) is in the palette only while a plan waits. */
const planPendingContext = 'plumbline.planPending';

/** What the status bar, the sidebar and the tests read about the run in progress (or the last one). */
export interface RunView {
  readonly runId: string;
  readonly task: string;
  readonly planPath: string | undefined;
  readonly phase: string;
  readonly plan: Plan | undefined;
  readonly costUsd: number;
  /** Tokens and unpriced calls so far, from the usage events: what shows when a model has no price. */
  readonly usage?: { readonly tokens: number; readonly unpricedCalls: number };
  readonly finished: Extract<RunEvent, { type: 'run/finished' }> | undefined;
  readonly evidence: readonly TestEvidence[];
  /** The files of the inline review open for this run (set when the server asks for it): the Chat view's anchors. */
  readonly reviewFiles?: readonly string[];
}

/** A plan waiting for the user's answer; the notification and the sidebar both offer it, the first answer wins. */
export interface PendingApproval {
  readonly runId: string;
  readonly planPath: string;
}

/** How the user approves a plan and reviews changes; the inline review plugs in here. */
export interface RunReviewer {
  review(request: { runId: string; files: readonly FileChange[]; evidence: readonly TestEvidence[]; findings?: readonly ShownFinding[] }, token: vscode.CancellationToken): Promise<ReviewDecisions>;
  /** After a review's accepted changes landed: shows the user the result in the real file. */
  showLanded?(runId: string, applied: readonly string[]): Promise<void>;
}

/**
 * The VS Code side of a run: starts and resumes runs on the agent server, keeps the latest state
 * from its events, answers its questions (approve the plan, review changes) with VS Code UI, and
 * shows progress with a cancel button.
 */
export class RunController implements vscode.Disposable {
  private current: RunView | undefined;
  private readonly changed = new vscode.EventEmitter<RunView>();
  private readonly subscriptions: { dispose(): unknown }[] = [this.changed];
  private finishWaiters: ((view: RunView) => void)[] = [];
  private approval: (PendingApproval & { readonly question: string; answer(decision: 'approve' | 'cancel'): void }) | undefined;
  /** The run whose no-sandbox question is open: its notification says so (the dialog may wait behind another). */
  private consentRunId: string | undefined;
  private readonly transcriptChanged = new vscode.EventEmitter<TranscriptChange>();
  readonly onDidChange = this.changed.event;
  /** The run's messages for the sidebar's chat, bounded. */
  readonly transcript = new RunTranscript((change) => this.transcriptChanged.fire(change));
  readonly onDidChangeTranscript = this.transcriptChanged.event;
  /** The run's questions to the user, answered in the sidebar. */
  readonly questions: OpenQuestions;

  constructor(
    private readonly server: AgentServerController,
    private readonly reviewer: RunReviewer,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // The wire validates every message; a malformed question is answered with its refusal (cancel,
    // deny, nothing accepted) and logged before any of these handlers sees it.
    this.questions = new OpenQuestions(server);
    this.subscriptions.push(
      this.questions,
      this.transcriptChanged,
      server.onNotification(runEventNotification, ({ event }) => this.onEvent(event)),
      server.onRequest(planApprovalRequest, (question, token) => this.approvePlan(question, token)),
      server.onRequest(reviewRequest, (request, token) => this.review(request, token)),
      server.onRequest(commandApprovalRequest, (question, token) => this.approveCommand(question, token)),
      server.onRequest(sandboxConsentRequest, (question, token) => this.askSandboxConsent(question, token)),
      server.onRequest(mcpServerApprovalRequest, (question, token) => approveMcpServer(question, token, this.log)),
    );
  }

  get view(): RunView | undefined {
    return this.current;
  }

  /** The plan approval the server is waiting for, if any. */
  get pendingApproval(): PendingApproval | undefined {
    return this.approval === undefined ? undefined : { runId: this.approval.runId, planPath: this.approval.planPath };
  }

  /** Answers the pending plan approval of `runId`; false when there is none (another answer came first). */
  answerApproval(runId: string, decision: 'approve' | 'cancel'): boolean {
    const pending = this.approval;
    if (pending?.runId !== runId) return false;
    pending.answer(decision);
    return true;
  }

  get running(): boolean {
    return this.current !== undefined && this.current.finished === undefined;
  }

  /** Starts a run; resolves once the server has accepted it (the run goes on in the background). */
  async start(task: string, scope?: TaskScope): Promise<string> {
    const reviewPlan = vscode.workspace.getConfiguration('plumbline').get<boolean>('reviewPlan') !== false;
    const { runId, planPath } = await this.server.request(runStartRequest, { task, approve: configuredApproveMode(), reviewPlan, ...(scope !== undefined ? { scope } : {}) });
    this.reset(runId, task, planPath);
    this.showProgress(runId);
    return runId;
  }

  /**
   * Starts reviewing a `plumbline/*` branch (a run of its own, with no plan to approve); resolves
   * once the server has accepted it. `plumbline.approvalMode` `never` shows the change and lands
   * nothing; `auto` lands all but files that run code; otherwise the inline review asks.
   */
  async reviewBranch(branch: string): Promise<string> {
    const mode = configuredApproveMode();
    const { runId, planPath } = await this.server.request(branchReviewRequest, { branch, approve: mode === 'step' ? 'end' : mode });
    this.reset(runId, `Review branch ${branch}`, planPath);
    this.showProgress(runId);
    return runId;
  }

  async resume(runId: string): Promise<void> {
    const { planPath } = await this.server.request(runResumeRequest, { runId });
    this.reset(runId, '', planPath);
    this.showProgress(runId);
  }

  async cancel(): Promise<boolean> {
    if (!this.running) return false;
    return (await this.server.request(runCancelRequest, {})).cancelled;
  }

  /** Resolves when the current run finishes (at once when it already has). */
  whenFinished(): Promise<RunView> {
    const view = this.current;
    if (view?.finished !== undefined) return Promise.resolve(view);
    return new Promise((resolve) => this.finishWaiters.push(resolve));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private reset(runId: string, task: string, planPath: string): void {
    if (this.current?.runId === runId && this.current.finished === undefined) return;
    this.current = { runId, task, planPath, phase: 'starting', plan: undefined, costUsd: 0, finished: undefined, evidence: [] };
    this.transcript.begin(runId, task);
    this.changed.fire(this.current);
  }

  private onEvent(event: RunEvent): void {
    const base = this.current?.runId === event.runId ? this.current : undefined;
    this.transcript.add(event, base?.plan);
    let view: RunView = base ?? { runId: event.runId, task: '', planPath: undefined, phase: 'starting', plan: undefined, costUsd: 0, finished: undefined, evidence: [] };
    switch (event.type) {
      case 'run/started':
        view = { ...view, task: event.task, planPath: event.planPath };
        break;
      case 'run/phase': {
        // A review's files belong to that review: the next phase (or the next step's review) drops them.
        const { reviewFiles: _closed, ...rest } = view;
        view = { ...rest, phase: event.phase };
        break;
      }
      case 'plan/updated':
        view = { ...view, plan: event.plan, costUsd: event.plan.cost.usd };
        break;
      case 'usage': {
        const { usage } = event.run;
        const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
        view = { ...view, costUsd: event.run.costUsd, usage: { tokens, unpricedCalls: event.run.unpricedCalls } };
        break;
      }
      case 'verification':
        view = { ...view, evidence: [...view.evidence, event.evidence] };
        break;
      case 'review/decided':
        if (event.applied.length > 0) void this.reviewer.showLanded?.(event.runId, event.applied.map((entry) => entry.path));
        return;
      case 'run/finished':
        view = { ...view, finished: event, costUsd: event.costUsd };
        this.log.info(`Run ${event.runId} ${event.status}${event.reason !== undefined ? `: ${event.reason}` : ''}`);
        break;
      default:
        return;
    }
    this.current = view;
    this.changed.fire(view);
    if (view.finished !== undefined) {
      const waiters = this.finishWaiters;
      this.finishWaiters = [];
      for (const resolve of waiters) resolve(view);
    }
  }

  /**
   * Asks for the plan's approval while the sidebar offers the same choice (`answerApproval`); the
   * first answer wins. The run's progress notification steps aside for the question (one
   * notification per run, not two stacked): Run Plan is its primary button, Open Plan and Cancel
   * secondary (`planQuestion.ts`). An approval puts the run's progress back; an answer from
   * elsewhere puts the question's toast away.
   */
  private approvePlan(question: { runId: string; plan: Plan; planPath: string }, token: vscode.CancellationToken): Promise<{ decision: 'approve' | 'cancel' }> {
    const { runId, plan, planPath } = question;
    return new Promise((resolve) => {
      let settled = false;
      let fromNotification = false;
      const answer = (decision: 'approve' | 'cancel'): void => {
        if (settled) return;
        settled = true;
        cancelled.dispose();
        if (this.approval?.runId === runId) this.approval = undefined;
        void vscode.commands.executeCommand('setContext', planPendingContext, false);
        // The stale question goes first, so the progress that follows is not put away with it.
        void (fromNotification ? Promise.resolve() : putAwayPlanQuestion()).then(() => {
          if (decision === 'approve' && this.current?.runId === runId && this.current.finished === undefined) this.showProgress(runId);
        });
        if (this.current !== undefined) this.changed.fire(this.current);
        resolve({ decision });
      };
      const cancelled = token.onCancellationRequested(() => answer('cancel'));
      this.approval = { runId, planPath, question: approvalQuestion(plan.steps.length, plan.summary), answer };
      this.transcript.planWaiting(runId);
      void vscode.commands.executeCommand('setContext', planPendingContext, true);
      if (this.current !== undefined) this.changed.fire(this.current);
      void askPlanInNotification(planQuestionText(plan.steps.length, plan.summary), () => !settled).then((decision) => {
        if (decision === undefined) return;
        fromNotification = true;
        answer(decision);
      });
    });
  }

  /** Answers the pending approval (if any) with approve: the notification's "Run Plan" link. */
  approvePending(): boolean {
    const pending = this.approval;
    if (pending === undefined) return false;
    pending.answer('approve');
    return true;
  }

  /**
   * A modal warning with the whole command and the policy's reasons: Run Once or Deny (closing it
   * denies). The outcome reaches the transcript through the command/finished event.
   */
  private async approveCommand(question: CommandApprovalParams, token: vscode.CancellationToken): Promise<{ decision: 'run' | 'deny' }> {
    if (token.isCancellationRequested) return { decision: 'deny' };
    const { message, detail } = commandApprovalMessage(question);
    this.log.info(`Asking to run a command for ${question.stepId}: ${question.command}`);
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, runOnceButton, denyButton);
    return { decision: choice === runOnceButton && !token.isCancellationRequested ? 'run' : 'deny' };
  }

  /** No sandbox on this machine: one modal question per run (`sandboxConsent.ts`), which always gets an answer. */
  private async askSandboxConsent(question: SandboxConsentParams, token: vscode.CancellationToken): Promise<{ decision: 'run' | 'review-first' | 'cancel' }> {
    this.setConsentRun(question.runId);
    try {
      return await answerSandboxConsent(question, token, {
        showModal: (message, detail, buttons) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons),
        log: this.log,
      });
    } finally {
      this.setConsentRun(undefined);
    }
  }

  private setConsentRun(runId: string | undefined): void {
    this.consentRunId = runId;
    if (this.current !== undefined) this.changed.fire(this.current);
  }

  private async review(request: { runId: string; files: readonly FileChange[] }, token: vscode.CancellationToken): Promise<ReviewDecisions> {
    if (this.current?.runId === request.runId) {
      this.current = { ...this.current, reviewFiles: request.files.map((file) => file.path) };
      this.changed.fire(this.current);
    }
    return this.reviewer.review({ runId: request.runId, files: request.files, evidence: this.current?.evidence ?? [], findings: findingsOf(this.current?.plan) }, token);
  }

  /** The run's one notification: its progress, or the plan's approval while that waits. */
  private showProgress(runId: string): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Plumbline', cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let open = true;
          const close = (): void => {
            open = false;
            subscription.dispose();
            resolve();
          };
          token.onCancellationRequested(() => void this.cancel());
          const report = (view: RunView): void => {
            if (view.runId !== runId || !open) return;
            // The plan's question takes this notification's place; an approval brings it back.
            if (view.finished !== undefined || this.approval?.runId === runId) {
              close();
              return;
            }
            const waiting = this.consentRunId === runId ? sandboxQuestionWaiting : undefined;
            progress.report({ message: waiting ?? `${describePhase(view)} · ${describeRunCost(view)}` });
          };
          const subscription = this.onDidChange(report);
        }),
    );
  }
}

/** What the run's notification says while the no-sandbox question waits for an answer. */
const sandboxQuestionWaiting = 'no sandbox on this machine: answer the dialog (review first, run the tests unsandboxed, or cancel)';

/** What the run's notification says while its plan waits: the plan in a line, and what to do. */
export function approvalQuestion(steps: number, summary: string): string {
  return `planned ${String(steps)} step${steps === 1 ? '' : 's'}: ${summary.split('\n')[0] ?? ''} [Run Plan](command:${commandIds.approvePlan}) · [Open Plan](command:${commandIds.openPlan})`;
}

/** The user's `plumbline.approvalMode` (a run's, and what the language model tool's confirmation says). */
export function configuredApproveMode(): 'step' | 'end' | 'auto' | 'never' {
  const mode = vscode.workspace.getConfiguration('plumbline').get<string>('approvalMode');
  return mode === 'end' || mode === 'auto' || mode === 'never' ? mode : 'step';
}

const phaseWords: Readonly<Record<string, string>> = {
  starting: 'starting',
  exploring: 'planning',
  awaiting_approval: 'waiting for your approval',
  executing: 'running',
  reviewing: 'waiting for your review',
  finished: 'finished',
};

/** The run's phase as people say it, for the status bar and the progress notification. */
/** Dollars, or the tokens when a model has no price (its calls would be left out of the dollars). */
export function describeRunCost(view: RunView): string {
  return describeCost({ usd: view.costUsd, unpricedCalls: view.usage?.unpricedCalls ?? 0, ...(view.usage !== undefined ? { tokens: view.usage.tokens } : {}) });
}

export function describePhase(view: RunView): string {
  const steps = view.plan?.steps ?? [];
  const done = steps.filter((step) => step.status === 'done').length;
  const words = phaseWords[view.phase] ?? view.phase;
  return view.phase === 'executing' && steps.length > 0 ? `${words} · ${done} of ${steps.length} steps done` : words;
}
