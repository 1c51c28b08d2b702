import { join } from 'node:path';
import { wrapData } from '../../tools/dataText';
import { sweepTemporaries } from '../workspace/atomicWrite';
import type { ModelClient, ModelRole } from '../model/modelTypes';
import type { Price } from '../model/pricing';
import { planCost, UsageLedger } from '../model/usageLedger';
import { finishedPlanStatuses, type Plan, type PlanStep, type ValidationContext } from '../plan/planTypes';
import {
  addNote,
  createPlan,
  failLandedStep,
  finishStep,
  markVerifying,
  reopenAfterInterruptedApply,
  recordAttempt,
  replacePendingSteps,
  requeueInterrupted,
  setCost,
  setStatus,
  setSummaryOfChanges,
  skipStep,
  startAttempt,
  startStep,
} from '../plan/planState';
import { blockedSteps, readySteps } from '../plan/validatePlan';
import { createGitPort } from '../workspace/gitPort';
import { probeRepo, type RepoInfo } from '../verify/isolationGit';
import { StagedWorkspace } from '../workspace/stagedWorkspace';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { WorkspaceReader } from '../workspace/workspacePort';
import type { SymbolPort } from '../../tools/toolContexts';
import type { LoopEvent } from './agentLoop';
import { describeChanges } from './changeSet';
import { selectHunks } from '../review/selectHunks';
import { Checkpoint } from './checkpoint';
import { journalLimitReason, RunJournal, stagedEntry, type RecoveredRun } from './journal';
import { Orchestrator } from './orchestrator';
import { defaultReplanLimits, replanAfterFailure, type ReplanLimits } from './replanGuard';
import { PlanDocument } from './planDocument';
import { projectOverview } from './projectOverview';
import { BudgetExceededError, RunBudget, type BudgetLimits } from './runBudget';
import type { FileChange, RunEvent, RunStatus } from './runEvents';
import { acquireRunLock, writeRunMeta, type RunMeta } from './runStore';
import { protectedFilesNote } from './protectedPlanNote';
import { summarizeRun } from './runSummary';
import { WorkerSession, type WorkerLoopOptions, type WorkerOutcome } from './worker';
import { cleanupStaleIsolations, type PreparedIsolation } from '../verify/isolatedWorkspace';
import { StepVerifier } from '../verify/stepVerifier';
import { CommandRunner, type CommandApprovalQuestion } from '../commands/commandRunner';
import { heldBackNote, holdBackProtected } from './protectedExecution';
import { detectSandbox } from '../sandbox/detectSandbox';
import { ExecutionGate, SandboxRefusedError, type UnsandboxedChoice, type UnsandboxedQuestion } from '../sandbox/executionGate';
import { defaultSandboxSettings, type SandboxSettings } from '../sandbox/sandboxPolicy';
import { isSandbox, type SandboxAvailability } from '../sandbox/sandboxTypes';
import type { TestEvidence } from '../verify/testEvidence';

export type { ApproveMode } from '../../protocol/run';
import type { ApproveMode, ReviewDecisions, TaskScope } from '../../protocol/run';

export interface RunOptions {
  readonly runId: string;
  readonly task: string;
  /** What the run was started with, journaled so `resume` can start it the same way. */
  readonly startParams?: Readonly<Record<string, unknown>>;
  /** The file and lines the task is about (Refactor Selection). */
  readonly scope?: TaskScope;
  readonly approve: ApproveMode;
  readonly maxParallel: number;
  readonly budget: BudgetLimits;
  readonly maxOutputTokens: number;
  readonly prices: Readonly<Record<string, Price>>;
  readonly verification: {
    /** The user's test command; detected from the project when absent. */
    readonly command?: string;
    readonly timeoutMs: number;
    /** Attempts per step, the first included, before the step fails. */
    readonly maxAttempts: number;
  };
  /** What workers may run with run_command (plumbline.commands.*); absent: the policy's defaults (ask for everything). */
  readonly commands?: { readonly allow: readonly string[]; readonly deny: readonly string[]; readonly workspaceTrusted: boolean };
  /** `plumbline.sandbox.*`: hosts, environment names and folders the sandbox opens up; the memory cap. */
  readonly sandbox?: SandboxSettings;
  /** Where there is no sandbox, the answer given up front (CLI `--unsandboxed`) instead of asking. */
  readonly unsandboxed?: 'run' | 'review-first';
  /** Re-plans after failed steps, per run and per step (`plumbline.limits.*`); absent: the defaults. */
  readonly replans?: ReplanLimits;
  /** The journal's size cap; past it the run stops at its next model request. Absent: none. */
  readonly maxJournalBytes?: number;
}

export type PlanDecision = { readonly kind: 'approve' } | { readonly kind: 'cancel' };
export type { ReviewDecisions } from '../../protocol/run';

/** What a run needs from its host (the server for VS Code and the CLI, or a test). */
export interface RunHost {
  readonly workspace: WorkspaceReader;
  readonly validation: ValidationContext;
  readonly clients: Readonly<Record<ModelRole, ModelClient>>;
  emit(event: RunEvent): void;
  /** The plan is ready: the user approves it (possibly after editing plan.md) or cancels. */
  approvePlan(plan: Plan, markdown: string, signal: AbortSignal): Promise<PlanDecision>;
  /** The user's per-hunk decisions; a file not listed is rejected. */
  review(files: readonly FileChange[], signal: AbortSignal): Promise<ReviewDecisions>;
  /** Lands approved changes in the user's files. */
  apply(changes: readonly StagedChange[]): Promise<void>;
  /** The editor's unsaved text of the plan document, if it is open and modified. */
  planBuffer?(): string | undefined;
  /** The editor's code intelligence (VS Code only). */
  readonly symbols?: SymbolPort;
  /** Unsaved editor buffers under the workspace (relative path → text): what verification tests. */
  unsavedBuffers?(): ReadonlyMap<string, string>;
  /** Asks the user whether a command the policy will not run alone may run once; absent: denied. */
  approveCommand?(question: CommandApprovalQuestion, signal: AbortSignal): Promise<'run' | 'deny'>;
  /** The machine's sandbox (the server probes it once); absent: probed here. */
  readonly sandbox?: Promise<SandboxAvailability>;
  /** No sandbox: asks once per run whether to run unreviewed changes' tests unconfined; absent: refused. */
  confirmUnsandboxed?(question: UnsandboxedQuestion, signal: AbortSignal): Promise<UnsandboxedChoice>;
}

export interface RunResult {
  readonly status: RunStatus;
  readonly reason?: string;
  readonly plan: Plan | undefined;
  readonly applied: readonly string[];
}

class RunCancelled extends Error {}

/**
 * One run: plan in the open, execute steps in parallel on a staged copy, keep the plan document
 * live (and follow the user's edits to it), then land what the approval mode allows.
 */
export class RunEngine {
  private plan: Plan | undefined;
  private readonly staged: StagedWorkspace;
  private readonly budget: RunBudget;
  private readonly ledger: UsageLedger;
  private readonly document: PlanDocument;
  private readonly checkpoint: Checkpoint;
  private readonly stepsByFile = new Map<string, string[]>();
  private applied: string[] = [];
  /** Set when applying was interrupted: the run ends failed but its journal stays resumable. */
  private resumable = false;
  private verifier: StepVerifier | undefined;
  /** The latest verification of each step: the test evidence shown beside its changes. */
  private readonly evidence = new Map<string, TestEvidence>();

  private readonly commands: CommandRunner;
  /** Decides, once per run, how unreviewed content may execute. */
  private readonly gate: ExecutionGate;
  private readonly journal: RunJournal;
  /** Stops everything still in flight when the run ends early (a budget, an error), not only on cancel. */
  private readonly stopWork = new AbortController();
  private readonly workSignal: AbortSignal;

  constructor(
    private readonly options: RunOptions,
    private readonly host: RunHost,
    private readonly signal: AbortSignal,
    /** A crashed run's journal, to resume from its last settled point instead of planning anew. */
    private readonly recovered?: RecoveredRun,
  ) {
    this.journal = new RunJournal(
      host.workspace.root,
      options.runId,
      options.maxJournalBytes !== undefined
        ? { maxBytes: options.maxJournalBytes, onLimit: (max) => this.budget.halt(journalLimitReason(max)) }
        : undefined,
    );
    this.workSignal = AbortSignal.any([signal, this.stopWork.signal]);
    this.staged = new StagedWorkspace(host.workspace);
    this.budget = new RunBudget(options.budget);
    this.ledger = new UsageLedger((event) => {
      // Journaled (not fsynced) so a resumed run continues its totals; a failed write shows up at the next entry that matters.
      this.journal.append({ kind: 'usage', role: event.call.role, provider: event.call.provider, model: event.call.model, usage: event.call.usage, costUsd: event.call.costUsd }).catch(() => undefined);
      host.emit({ type: 'usage', runId: options.runId, role: event.call.role, model: event.call.model, costUsd: event.call.costUsd, run: event.run });
      if (this.plan !== undefined) this.plan = setCost(this.plan, planCost(event.run));
    });
    if (recovered !== undefined) {
      // The resumed run's cost, tokens and budget go on from where the stopped one was.
      this.ledger.restore(recovered.calls);
      for (const call of recovered.calls) this.budget.record(call.usage, call.costUsd);
    }
    this.checkpoint = new Checkpoint(host.workspace.root, options.runId);
    this.document = new PlanDocument(host.workspace.root, options.runId, host.validation, () => host.planBuffer?.());
    this.gate = new ExecutionGate({
      availability: host.sandbox ?? detectSandbox(),
      ...(options.unsandboxed !== undefined ? { preset: options.unsandboxed } : {}),
      ...(host.confirmUnsandboxed !== undefined ? { ask: (question, signal) => host.confirmUnsandboxed?.(question, signal) ?? Promise.resolve('refuse' as const) } : {}),
    });
    this.commands = new CommandRunner({
      gate: this.gate,
      sandbox: options.sandbox ?? defaultSandboxSettings,
      root: host.workspace.root,
      timeoutMs: options.verification.timeoutMs,
      policy: () => {
        const verification = this.verifier?.command ?? options.verification.command;
        return { allow: [], deny: [], workspaceTrusted: true, ...options.commands, ...(verification !== undefined ? { verificationCommand: verification } : {}) };
      },
      ...(host.unsavedBuffers !== undefined ? { buffers: () => host.unsavedBuffers?.() ?? new Map<string, string>() } : {}),
      ...(host.approveCommand !== undefined ? { approve: (question, signal) => host.approveCommand?.(question, signal) ?? Promise.resolve('deny' as const) } : {}),
      emit: (event) => host.emit({ type: 'command/finished', runId: options.runId, ...event, reasons: [...event.reasons] }),
    });
  }

  private release: (() => Promise<void>) | undefined;
  private staleCleanup: Promise<unknown> | undefined;

  /** Takes the workspace's run lock; `run` does it too, but a host may want the refusal before starting. */
  async lock(): Promise<void> {
    this.release ??= await acquireRunLock(this.host.workspace.root, this.options.runId);
  }

  async run(): Promise<RunResult> {
    const { runId, task } = this.options;
    await this.lock();
    // Copies a killed server left behind are removed while the orchestrator plans, not on the way
    // to the first verification (the verifier waits for it before making its own).
    // A fresh run does both once its first model request is out (each git process is milliseconds of
    // this process's time, which the first request would wait for): the removal of stale copies,
    // then the first copy's worktree of HEAD (no files: those are copied after the approval).
    const root = this.host.workspace.root;
    const planning = this.recovered === undefined ? this.firstRequestOut : Promise.resolve();
    // One git process answers what exploring, the clean-up and the prepared copy each ask: is this a
    // work tree, where is its top, which commit is HEAD.
    const repo = this.recovered === undefined ? probeRepo(root).catch(() => undefined) : undefined;
    this.staleCleanup = planning.then(() => cleanupStaleIsolations(root, repo !== undefined ? { repo } : {})).catch(() => undefined);
    if (this.recovered === undefined) this.preparedCopy = StepVerifier.prepareAhead(root, this.options.verification.command, this.staleCleanup, repo);
    const createdAt = new Date().toISOString();
    let finished: Extract<RunEvent, { type: 'run/finished' }> | undefined;
    try {
      this.host.emit({ type: 'run/started', runId, task, planPath: this.document.path });
      // Reads only (git processes, the overview): they run while the run's record is written.
      if (this.recovered === undefined) this.exploring = this.explore(repo);
      // While git works: what the first model request would otherwise load on its way out.
      setImmediate(() => this.host.clients.orchestrator.warmUp?.());
      await this.saveMeta('planning', createdAt);
      if (this.recovered === undefined) {
        await this.journal.append({ kind: 'started', at: createdAt, task, options: { ...(this.options.startParams ?? { task }) } });
      }
      const result = this.recovered !== undefined ? await this.resumeExecution(this.recovered) : await this.execute();
      finished = await this.finish(result, createdAt);
      return result;
    } finally {
      // A run that ended before its first model request still cleans up.
      this.requestOut();
      try {
        // Independent of one another; the lock goes only once all of them are done. The copy is
        // removed only now, after the run's record is settled: its many file-system calls would
        // otherwise queue the last writes behind them.
        await Promise.all([this.document.flush().catch(() => undefined), this.journal.close(), this.staleCleanup, this.disposeVerifier()]);
        await this.release?.();
        this.release = undefined;
      } finally {
        // Last, once the workspace is free and the copy gone: a client may start the next run (or
        // check that nothing is left) as soon as it reads this.
        if (finished !== undefined) this.host.emit(finished);
      }
    }
  }

  private exploring: Promise<Explored> | undefined;
  /** Whether a baseline test run is still worth taking (a resumed run may have no step left). */
  private baselineNeeded = true;
  /** Pre-run bytes of files a resumed run had already landed, put back for the baseline only. */
  private baselineRestores: StagedChange[] = [];
  private verifierDisposal: Promise<void> | undefined;

  private preparedCopy: Promise<PreparedIsolation | undefined> | undefined;
  private requestOut: () => void = () => undefined;
  /** Resolves once the orchestrator's first model request has been sent (or the run has ended). */
  private readonly firstRequestOut = new Promise<void>((resolve) => {
    this.requestOut = resolve;
  });

  /** The prepared copy goes to the verifier, which uses or discards it. */
  private takePreparedCopy(): { prepared?: Promise<PreparedIsolation | undefined> } {
    const prepared = this.preparedCopy;
    this.preparedCopy = undefined;
    return prepared !== undefined ? { prepared } : {};
  }

  private disposeVerifier(): Promise<void> {
    // A copy prepared for a run that never reached its verifier (cancelled, failed while planning).
    const unused = this.takePreparedCopy().prepared?.then((prepared) => prepared?.discard()).catch(() => undefined);
    this.verifierDisposal ??= Promise.all([this.verifier?.dispose(), unused]).then(() => undefined);
    return this.verifierDisposal;
  }

  /** Independent look-ups, each a git process: side by side, before the first model request. */
  private explore(repo?: Promise<RepoInfo | undefined>): Promise<Explored> {
    const hiddenFound: string[] = [];
    const inWorkTree = repo?.then((found) => found !== undefined);
    const explored = Promise.all([
      createGitPort(this.host.workspace.root, inWorkTree),
      projectOverview(this.host.workspace, (path, count) => hiddenFound.push(`${count} hidden character(s) in ${path}`)),
    ]).then(([git, overview]) => ({ git, overview, hiddenFound }));
    // Awaited by execute(); a run that fails before it gets there must not leave a rejection unheard.
    explored.catch(() => undefined);
    return explored;
  }

  private async execute(): Promise<RunResult> {
    try {
      this.phase('exploring');
      const { git, overview, hiddenFound } = await (this.exploring ?? this.explore());
      const orchestrator = new Orchestrator(this.host.workspace, this.host.validation, this.loopOptions('orchestrator'), this.host.symbols, git);
      const submitted = await orchestrator.plan(this.options.task, overview, this.options.scope);
      let plan = createPlan(this.options.runId, this.options.task, submitted);
      // Reported, not only removed: hidden text in a rule file is how prompt injections hide.
      if (hiddenFound.length > 0) plan = addNote(plan, `Removed before the model read them: ${hiddenFound.join('; ')}.`);
      const protectedNote = protectedFilesNote(plan);
      if (protectedNote !== undefined) plan = addNote(plan, protectedNote);
      await this.update(plan);

      this.phase('awaiting_approval');
      this.saveMetaSoon('awaiting_approval');
      const decision = await this.host.approvePlan(this.current(), await this.document.write(this.current()), this.signal);
      await this.followUserEdits();
      if (decision.kind === 'cancel') return this.ended('cancelled', 'The plan was not approved.');
      await this.update(setStatus(this.current(), 'running'));
      return await this.executeApproved(orchestrator);
    } catch (error) {
      return this.failure(error);
    }
  }

  /** Continues a crashed run: its plan, its approved and staged work, from the journal. */
  private async resumeExecution(recovered: RecoveredRun): Promise<RunResult> {
    try {
      if (recovered.plan === undefined) return this.ended('failed', 'The run stopped before it had a plan; start it again.');
      let plan = requeueInterrupted(recovered.plan, new Date().toISOString());
      if (plan.status === 'draft') plan = setStatus(plan, 'approved');
      if (plan.status === 'approved') plan = setStatus(plan, 'running');
      // Only an interrupted apply leaves a failed run's journal open (finish() writes no `finished`).
      if (plan.status === 'failed') plan = reopenAfterInterruptedApply(plan);
      await this.update(addNote(plan, 'Resumed after the agent server stopped; interrupted steps start again.'));
      // A server killed in the middle of applying leaves a temporary file beside the file it was writing.
      const root = this.host.workspace.root;
      await sweepTemporaries([...recovered.staged.keys()].map((path) => join(root, ...path.split('/'))));
      for (const change of recovered.staged.values()) {
        // Landed before an interrupted apply: already the user's bytes, so it leaves no change to review.
        if (sameBytes((await this.host.workspace.readFile(change.path).catch(() => undefined))?.bytes, change.after)) this.applied.push(change.path);
        if (change.after === undefined) await this.staged.delete(change.path).catch(() => undefined);
        else await this.staged.write(change.path, change.after);
        this.stepsByFile.set(change.path, [...(this.stepsByFile.get(change.path) ?? []), change.stepId]);
      }
      // The copy for verification is taken from the workspace, where an interrupted apply left some
      // of the run's files landed: the baseline gets their pre-run bytes back, so failures the run
      // caused are never mistaken for ones that were there before. With no step left to verify (the
      // apply was the run's last act), there is no baseline to take.
      const staged = [...recovered.staged.values()];
      this.baselineRestores = staged.filter((change) => this.applied.includes(change.path)).map((change) => ({ path: change.path, kind: change.before === undefined ? 'delete' : 'modify', before: change.after, after: change.before }));
      this.baselineNeeded = this.current().steps.some((step) => step.status === 'pending');
      const orchestrator = new Orchestrator(this.host.workspace, this.host.validation, this.loopOptions('orchestrator'), this.host.symbols, await createGitPort(this.host.workspace.root));
      orchestrator.resumeFrom(this.options.task, this.current(), this.options.scope);
      // Step mode: what was verified but not yet reviewed is reviewed before anything builds on it.
      if (this.options.approve === 'step') await this.reviewStaged();
      return await this.executeApproved(orchestrator);
    } catch (error) {
      return this.failure(error);
    }
  }

  private async executeApproved(orchestrator: Orchestrator): Promise<RunResult> {
    try {
      this.phase('executing');
      this.saveMetaSoon('running');
      this.verifier = await StepVerifier.create({
        root: this.host.workspace.root,
        timeoutMs: this.options.verification.timeoutMs,
        signal: this.workSignal,
        ...(this.staleCleanup !== undefined ? { staleCleanup: this.staleCleanup } : {}),
        ...this.takePreparedCopy(),
        ...(this.options.verification.command !== undefined ? { command: this.options.verification.command } : {}),
        ...(this.host.unsavedBuffers !== undefined ? { buffers: this.host.unsavedBuffers() } : {}),
        gate: this.gate,
        sandbox: this.options.sandbox ?? defaultSandboxSettings,
      });
      // The copy of the workspace (taken now, after the approval) is made while the note is written.
      this.verifier.prepare();
      await this.update(addNote(this.current(), `${this.verifier.describeCommand()} ${await this.describeSandbox()}`));
      // Without a sandbox the one question of the run comes now, before anything runs, not mid-step.
      if (this.verifier.command !== undefined && !isSandbox(await this.gate.availability())) {
        const answer = await this.gate.forUnreviewed(this.workSignal);
        if (answer.kind !== 'sandbox') await this.update(addNote(this.current(), answer.kind === 'withheld' ? answer.reason : answer.why));
      }
      if (this.verifier.command !== undefined && this.baselineNeeded) {
        const baseline = await this.verifier.runBaseline(this.baselineRestores);
        this.host.emit({ type: 'verification', runId: this.options.runId, evidence: baseline });
        if (baseline.preexistingFailures.length > 0 || baseline.verdict === 'failed') {
          await this.update(addNote(this.current(), `Before the run: ${baseline.reason}${baseline.preexistingFailures.length > 0 ? ` (${baseline.preexistingFailures.join(', ')})` : ''}`));
        }
      }
      await this.schedule(orchestrator);
      return await this.land();
    } catch (error) {
      return this.failure(error);
    }
  }

  /** For the plan's notes: where the tests and commands of this run execute. */
  private async describeSandbox(): Promise<string> {
    const found = await this.gate.availability();
    return isSandbox(found) ? `Tests and commands run sandboxed (${found.description}): no network, no home folder, writes only in the copy.` : `No sandbox: ${found.reason}`;
  }

  private failure(error: unknown): RunResult {
    // Workers and test runs still going belong to a run that has ended: stop them now.
    this.stopWork.abort();
    if (error instanceof SandboxRefusedError) return this.ended(error.cancelled ? 'cancelled' : 'failed', error.message);
    if (this.signal.aborted || error instanceof RunCancelled) return this.ended('cancelled', 'The run was cancelled.');
    if (error instanceof BudgetExceededError) return this.ended('failed', `Stopped: ${error.message}.`);
    return this.ended('failed', error instanceof Error ? error.message : String(error));
  }

  /** Runs ready steps in parallel (up to the setting), re-planning when one fails. */
  private async schedule(orchestrator: Orchestrator): Promise<void> {
    const running = new Map<string, Promise<void>>();
    let failure: { error: unknown } | undefined;
    for (;;) {
      if (this.signal.aborted) throw new RunCancelled();
      await this.followUserEdits();
      // A step whose dependency is still running (in step mode: under review, or being re-planned
      // after one) waits, even though the dependency counts as done: it must not build on changes
      // the user may yet reject.
      const startable = readySteps(this.current()).filter((step) => !running.has(step.id) && !step.dependsOn.some((id) => running.has(id)));
      for (const step of startable.slice(0, Math.max(0, this.options.maxParallel - running.size))) {
        // A step's promise never rejects: the first failure is kept and thrown here, after the
        // others have been told to stop, so no rejection is left unobserved.
        const work = this.runStep(step, orchestrator)
          .catch((error: unknown) => {
            failure ??= { error };
            this.stopWork.abort();
          })
          .finally(() => running.delete(step.id));
        running.set(step.id, work);
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
      if (failure !== undefined) {
        await Promise.all(running.values());
        throw failure.error;
      }
    }
    for (const blocked of blockedSteps(this.current())) {
      await this.update(skipStep(this.current(), blocked.step.id, `blocked by ${blocked.blockedBy.join(', ')}`));
    }
  }

  private async runStep(step: PlanStep, orchestrator: Orchestrator): Promise<void> {
    const model = this.host.clients.worker.model;
    await this.update(startStep(this.current(), step.id, { startedAt: new Date().toISOString(), model }));
    this.host.emit({ type: 'step/started', runId: this.options.runId, stepId: step.id, model });
    const fork = this.staged.fork();
    // A command sees the run's staged work with this step's edits on top, as verification does.
    // Files that run code keep their pre-run version in the command's copy until the user approves them.
    const runCommand = (command: string, purpose: string): ReturnType<CommandRunner['run']> => {
      const { runnable, held } = holdBackProtected([...this.staged.changes().filter((change) => !fork.changes().some((own) => own.path === change.path)), ...fork.changes()]);
      const note = heldBackNote(held);
      return this.commands.run({ stepId: step.id, command, purpose, changes: runnable, ...(note !== undefined ? { note } : {}) }, this.workSignal);
    };
    const session = new WorkerSession(this.current().steps.find((s) => s.id === step.id) ?? step, this.current(), fork, this.loopOptions('worker', step.id), runCommand);
    let outcome = await session.run();
    if (this.signal.aborted) throw new RunCancelled();
    outcome = await this.verifyStep(step, session, outcome);
    if (outcome.status === 'done') {
      await this.journal.append(stagedEntry(step.id, fork.changes()));
      await fork.commitTo(this.staged);
      for (const path of outcome.changedFiles) this.stepsByFile.set(path, [...(this.stepsByFile.get(path) ?? []), step.id]);
      await this.update(finishStep(this.current(), step.id, { status: 'done', summary: outcome.summary, changedFiles: [...outcome.changedFiles], ...(this.attemptClosed(step.id) ? {} : { attempt: { endedAt: new Date().toISOString(), outcome: 'passed' as const } }) }));
      this.host.emit({ type: 'step/finished', runId: this.options.runId, stepId: step.id, status: 'done', summary: outcome.summary, changedFiles: [...outcome.changedFiles] });
      if (this.options.approve === 'step') {
        const declined = await this.reviewStaged([step.id]);
        if (declined.length > 0 && readySteps(this.current()).length + this.current().steps.filter((s) => s.status === 'pending').length > 0) {
          const revised = await orchestrator.replan(
            this.current(),
            `The user did not accept all of step ${step.id}'s changes (${declined.join(', ')}); the files are as the user left them. ` +
              'Submit the remaining plan, adjusted if later steps relied on the rejected changes.',
          );
          await this.update(addNote(replacePendingSteps(this.current(), revised), `Re-planned after the review of ${step.id}.`));
        }
      }
      return;
    }
    await this.update(finishStep(this.current(), step.id, { status: 'failed', error: outcome.error, changedFiles: [], ...(this.attemptClosed(step.id) ? {} : { attempt: { endedAt: new Date().toISOString(), outcome: 'error' as const, detail: outcome.error } }) }));
    this.host.emit({ type: 'step/finished', runId: this.options.runId, stepId: step.id, status: 'failed', error: outcome.error, changedFiles: [] });
    // Capped per run and per step (a step re-planned under a new name counts as itself); no valid re-plan ends the run naming this failure.
    const revised = await replanAfterFailure(this.current(), step.id, outcome.error, this.options.replans ?? defaultReplanLimits, () =>
      orchestrator.replan(
        this.current(),
        `Step ${step.id} (${step.title}) failed: ${outcome.error}\nIts edits were discarded. Submit a revised plan for the remaining work (keep finished steps out of it), or the same pending steps if they still make sense.`,
      ),
    );
    await this.update(addNote(replacePendingSteps(this.current(), revised), `Re-planned after ${step.id} failed.`));
  }

  /**
   * The fix loop: the step's increment is verified in isolation; a failure goes back to the same
   * worker with the part of the log that matters, up to the attempt limit. The verdict comes from
   * the test command's exit status, never from the worker.
   */
  private async verifyStep(step: PlanStep, session: WorkerSession, first: WorkerOutcome): Promise<WorkerOutcome> {
    let outcome = first;
    const verifier = this.verifier;
    if (verifier === undefined) return outcome;
    for (let attempt = 1; outcome.status === 'done'; attempt++) {
      await this.update(markVerifying(this.current(), step.id));
      const combined = [...this.staged.changes().filter((change) => !session.fork.changes().some((own) => own.path === change.path)), ...session.fork.changes()];
      // Files that run code are tested in their pre-run version until the user approves them.
      const { runnable, held } = holdBackProtected(combined);
      const verified = await verifier.verify(runnable, testFilesOf(step), { removesTests: step.removesTests ?? [] });
      const note = heldBackNote(held);
      const evidence = note === undefined ? verified : { ...verified, reason: `${verified.reason} ${note}` };
      if (this.signal.aborted) throw new RunCancelled();
      this.host.emit({ type: 'verification', runId: this.options.runId, stepId: step.id, attempt, evidence });
      this.evidence.set(step.id, evidence);
      if (evidence.verdict !== 'failed') {
        await this.update(recordAttempt(this.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'passed', detail: evidence.reason }));
        return outcome;
      }
      await this.update(recordAttempt(this.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'failed', detail: `${evidence.reason}\n${evidence.excerpt.slice(0, 1500)}` }));
      if (attempt >= this.options.verification.maxAttempts) {
        return { status: 'failed', error: `The step still failed verification after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${evidence.reason}`, changedFiles: outcome.changedFiles };
      }
      await this.update(startAttempt(this.current(), step.id, new Date().toISOString()));
      outcome = await session.retry(
        `Verification failed (attempt ${attempt} of ${this.options.verification.maxAttempts}): ${evidence.reason}\n` +
          `Command: ${evidence.command ?? ''} (exit code ${String(evidence.exitCode)})\n${wrapData('test-output', evidence.excerpt)}\n` +
          'Fix your files so the tests pass, then call finish. Failures that existed before the run are not yours to fix.',
      );
      if (this.signal.aborted) throw new RunCancelled();
    }
    return outcome;
  }

  private attemptClosed(stepId: string): boolean {
    const step = this.current().steps.find((candidate) => candidate.id === stepId);
    const last = step?.attempts[step.attempts.length - 1];
    return last === undefined || last.outcome !== undefined;
  }

  /**
   * Shows the staged changes (of some steps, or all) for review and lands exactly the accepted
   * hunks, onto the files as they are now. Returns the paths with rejected hunks or conflicts.
   * One review at a time: parallel steps that finish together are asked about one after the other
   * (a terminal cannot ask two questions at once).
   */
  private reviewStaged(stepIds?: readonly string[]): Promise<string[]> {
    const next = this.reviewQueue.then(() => this.reviewStagedNow(stepIds));
    this.reviewQueue = next.catch(() => undefined);
    return next;
  }

  private reviewQueue: Promise<unknown> = Promise.resolve();

  private async reviewStagedNow(stepIds?: readonly string[]): Promise<string[]> {
    const changes = this.staged
      .changes()
      .filter((change) => stepIds === undefined || (this.stepsByFile.get(change.path) ?? []).some((id) => stepIds.includes(id)));
    if (changes.length === 0) return [];
    const files = describeChanges(changes, this.stepsByFile);
    this.host.emit({ type: 'changes', runId: this.options.runId, files });
    if (this.options.approve === 'never') return [];
    let decisions: ReviewDecisions;
    if (this.options.approve !== 'auto') {
      this.phase('reviewing');
      decisions = await this.host.review(files, this.signal);
      this.phase('executing');
    } else {
      // Auto lands everything except files that run code: those are always asked about, alone.
      const guarded = files.filter((file) => file.protectedReason !== undefined);
      const automatic = files.filter((file) => file.protectedReason === undefined).map((file) => ({ path: file.path, hunks: 'all' as const }));
      let asked: ReviewDecisions['decisions'] = [];
      if (guarded.length > 0) {
        this.phase('reviewing');
        // A client that cannot ask (no terminal) or fails answers nothing: the files stay unapplied.
        const answered = await this.host.review(guarded, this.signal).catch((error: unknown) => {
          if (this.signal.aborted) throw error;
          return { decisions: [] };
        });
        asked = answered.decisions.filter((decision) => guarded.some((file) => file.path === decision.path));
        this.phase('executing');
        const left = guarded.filter((file) => !asked.some((decision) => decision.path === file.path));
        if (left.length > 0) await this.update(addNote(this.current(), `Left unapplied, waiting for your approval (they run code): ${left.map((file) => `${file.path} (${file.protectedReason ?? 'protected'})`).join('; ')}.`));
      }
      decisions = { decisions: [...automatic, ...asked] };
    }
    const landing: StagedChange[] = [];
    const applied: { path: string; hunks: number; of: number }[] = [];
    const rejected: string[] = [];
    const conflicts: { path: string; reason: string }[] = [];
    const alreadyLanded: string[] = [];
    for (const [index, change] of changes.entries()) {
      const file = files[index];
      const decision = decisions.decisions.find((entry) => entry.path === change.path);
      const count = Math.max(1, file?.hunks.length ?? 1);
      // Indexes the file does not have are ignored, so the report counts only what can land.
      const accepted = new Set(decision === undefined ? [] : decision.hunks === 'all' ? Array.from({ length: count }, (_, i) => i) : decision.hunks.filter((i) => i < count));
      if (accepted.size < count) rejected.push(change.path);
      const current = (await this.host.workspace.readFile(change.path))?.bytes;
      if (accepted.size >= count && sameBytes(current, change.after)) {
        // Already there (the user made the very same change meanwhile): nothing to write, nothing lost.
        alreadyLanded.push(change.path);
        applied.push({ path: change.path, hunks: count, of: count });
        continue;
      }
      const selection = selectHunks(change, accepted, current);
      if (selection.kind === 'conflict') conflicts.push({ path: change.path, reason: selection.reason });
      else if (selection.kind !== 'unchanged') {
        landing.push({ ...change, before: current, after: selection.kind === 'write' ? selection.bytes : undefined, kind: selection.kind === 'delete' ? 'delete' : current === undefined ? 'create' : 'modify' });
        applied.push({ path: change.path, hunks: Math.min(accepted.size, count), of: count });
      }
    }
    if (landing.length > 0) {
      // The journal (what resume lands) and the checkpoint (what undo restores) are on the disk
      // before the first byte lands.
      await this.journal.sync();
      await this.checkpoint.before(landing.map((change) => ({ path: change.path, bytes: change.after })));
      try {
        await this.host.apply(landing);
      } catch (error) {
        // The journal still holds these changes as staged (no `unstaged` entry yet): the run can
        // be resumed once the cause is fixed, and the checkpoint undoes whatever did land.
        this.resumable = true;
        const runId = this.options.runId;
        throw new Error(
          `${error instanceof Error ? error.message : String(error)} ` +
            `Free some disk space (or fix the cause), then resume the run to land the rest (plumbline resume ${runId}, or Plumbline: Resume Run), ` +
            `or undo it to restore the files it changed (plumbline undo ${runId}, or Plumbline: Undo Run).`,
          { cause: error },
        );
      }
      this.verifier?.recordLanded(landing);
    }
    this.applied = [...new Set([...this.applied, ...alreadyLanded, ...landing.map((change) => change.path)])];
    this.host.emit({ type: 'review/decided', runId: this.options.runId, applied, rejected, conflicts });
    // What landed is now in the base; what was rejected is dropped. Either way it leaves the overlay.
    await this.journal.append({ kind: 'unstaged', paths: changes.map((change) => change.path) });
    for (const change of changes) await this.staged.discard(change.path);
    if (rejected.length > 0 || conflicts.length > 0) {
      await this.update(addNote(this.current(), `Review: ${rejected.length > 0 ? `not accepted in ${rejected.join(', ')}` : ''}${conflicts.length > 0 ? ` kept your version of ${conflicts.map((c) => c.path).join(', ')}` : ''}.`));
      // Part of the verified change landed: what landed is a new state nobody has tested yet.
      if (landing.length > 0) await this.verifyPartialLanding(changes.map((change) => change.path));
    }
    return [...new Set([...rejected, ...conflicts.map((conflict) => conflict.path)])];
  }

  /**
   * The user accepted only part of what was verified: the tests run again on what actually landed
   * (sandboxed), the result is shown, and a step whose landed form fails them is not reported done
   * (the steps that depend on it are then blocked). Without a sandbox and with "review first",
   * the end of the run does this for everything at once (verifyAfterReview).
   */
  private async verifyPartialLanding(paths: readonly string[]): Promise<void> {
    const verifier = this.verifier;
    if (verifier?.command === undefined || (await this.gate.choice()) === 'review-first') return;
    const removesTests = this.current().steps.filter((step) => step.status === 'done').flatMap((step) => step.removesTests ?? []);
    const evidence = await verifier.verifyLanded({ removesTests }, { rebase: true });
    this.host.emit({ type: 'verification', runId: this.options.runId, evidence });
    const stepIds = [...new Set(paths.flatMap((path) => this.stepsByFile.get(path) ?? []))];
    if (evidence.verdict !== 'failed') {
      await this.update(addNote(this.current(), `What you accepted was tested again after it landed: ${evidence.reason}`));
      return;
    }
    let plan = addNote(this.current(), `What you accepted does not pass the tests: ${evidence.reason} ${stepIds.join(', ')} ${stepIds.length === 1 ? 'is' : 'are'} not done; steps that depend on ${stepIds.length === 1 ? 'it' : 'them'} will not run, and later steps are not blamed for these failures.`);
    for (const id of stepIds) {
      if (plan.steps.find((step) => step.id === id)?.status === 'done') plan = failLandedStep(plan, id, `What you accepted of this step fails the tests: ${evidence.reason}`);
    }
    await this.update(plan);
  }

  private async land(): Promise<RunResult> {
    await this.reviewStaged();
    await this.verifyAfterReview();
    const failed = this.current().steps.filter((step) => step.status === 'failed' || step.status === 'skipped');
    if (failed.length > 0) return this.ended('failed', `${failed.length} step(s) did not complete: ${failed.map((step) => step.id).join(', ')}.`);
    return this.ended('completed');
  }

  /**
   * No sandbox, and the user chose to review first: nothing was verified before the review, so
   * what the user accepted is tested now that it has landed. Never in `auto` mode, where nobody
   * has read the changes: there the run says they are unverified and runs nothing.
   */
  private async verifyAfterReview(): Promise<void> {
    const verifier = this.verifier;
    if (verifier?.command === undefined || this.applied.length === 0) return;
    if ((await this.gate.choice()) !== 'review-first') return;
    if (this.options.approve === 'auto') {
      await this.update(addNote(this.current(), 'Not verified: there is no sandbox and the changes were applied without review (auto); run your tests before you rely on them.'));
      return;
    }
    const removesTests = this.current().steps.filter((step) => step.status === 'done').flatMap((step) => step.removesTests ?? []);
    const evidence = await verifier.verifyLanded({ removesTests });
    this.host.emit({ type: 'verification', runId: this.options.runId, evidence });
    await this.update(addNote(this.current(), `After your review, on what landed: ${evidence.reason}`));
  }

  private ended(status: RunStatus, reason?: string): RunResult {
    return { status, ...(reason !== undefined ? { reason } : {}), plan: this.plan, applied: this.applied };
  }

  /** Settles the plan and the run's record; returns the run/finished event, which `run` sends last. */
  private async finish(result: RunResult, createdAt: string): Promise<Extract<RunEvent, { type: 'run/finished' }>> {
    if (this.plan !== undefined) {
      let plan = this.plan;
      for (const step of plan.steps.filter((s) => s.status === 'running' || s.status === 'pending' || s.status === 'verifying')) plan = skipStep(plan, step.id, result.reason ?? 'the run ended', 'cancelled');
      const summary = summarizeRun(plan, result, this.ledger.totals, this.options.approve);
      plan = setSummaryOfChanges(setStatus(plan, result.status), summary);
      // The final plan.md and run.json are written side by side.
      const updating = this.update(plan);
      await Promise.all([updating, this.saveMeta(result.status, createdAt, result.reason)]);
    } else {
      await this.saveMeta(result.status, createdAt, result.reason);
    }
    const summary = this.plan?.summaryOfChanges ?? result.reason ?? '';
    // An interrupted apply leaves the journal open, so `resume` can land the rest.
    if (!this.resumable) await this.journal.append({ kind: 'finished', status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}) });
    this.phase('finished');
    return { type: 'run/finished', runId: this.options.runId, status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}), summary, applied: [...result.applied], costUsd: this.ledger.totals.costUsd };
  }

  private async followUserEdits(): Promise<void> {
    if (this.plan === undefined) return;
    const sync = await this.document.sync(this.plan);
    if (sync.kind === 'unchanged') return;
    if (sync.kind === 'edited') {
      this.host.emit({ type: 'plan/edited', runId: this.options.runId, changes: [...sync.changes], errors: [] });
      await this.update(addNote(sync.plan, `Followed your edit: ${sync.changes.join('; ')}.`));
    } else {
      this.host.emit({ type: 'plan/edited', runId: this.options.runId, changes: [], errors: [...sync.errors] });
      await this.update(addNote(this.current(), `Your edit could not be applied (${sync.errors.join(' ')}); it is kept in ${sync.keptAt}.`));
    }
  }

  private current(): Plan {
    if (this.plan === undefined) throw new Error('No plan yet.');
    return this.plan;
  }

  private async update(plan: Plan): Promise<void> {
    const totals = this.ledger.totals;
    this.plan = setCost(plan, planCost(totals));
    await this.journal.append({ kind: 'plan', plan: this.plan });
    // Written to plan.md within 100 ms (and before it is read back, and at the end): a step's
    // several quick changes are one write.
    const markdown = finishedPlanStatuses.has(this.plan.status) ? await this.document.write(this.plan) : this.document.update(this.plan);
    this.host.emit({ type: 'plan/updated', runId: this.options.runId, plan: this.plan, markdown });
  }

  private phase(phase: 'exploring' | 'awaiting_approval' | 'executing' | 'reviewing' | 'finished'): void {
    this.host.emit({ type: 'run/phase', runId: this.options.runId, phase });
  }

  private loopOptions(role: ModelRole, stepId?: string): WorkerLoopOptions {
    const runId = this.options.runId;
    const step = stepId !== undefined ? { stepId } : {};
    const client = this.host.clients[role];
    return {
      client:
        role === 'orchestrator'
          ? {
              provider: client.provider,
              model: client.model,
              stream: (request) => {
                // The SDK sends the request within this turn of the event loop.
                setImmediate(() => this.requestOut());
                return client.stream(request);
              },
            }
          : client,
      maxOutputTokens: this.options.maxOutputTokens,
      maxTurns: role === 'orchestrator' ? 40 : 30,
      budget: this.budget,
      ledger: this.ledger,
      prices: this.options.prices,
      signal: this.workSignal,
      onEvent: (event: LoopEvent) => {
        if (event.type === 'model' && event.event.type === 'text') this.host.emit({ type: 'model/text', runId, role, ...step, delta: event.event.delta });
        else if (event.type === 'tool') this.host.emit({ type: 'tool/result', runId, role, ...step, tool: event.name, ok: !event.result.isError, detail: event.result.content.slice(0, 500) });
        else if (event.type === 'retry') this.host.emit({ type: 'model/retry', runId, role, ...step, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
      },
    };
  }

  /** Writes of run.json, one at a time and in order. */
  private metaWrites: Promise<void> = Promise.resolve();

  /**
   * Records a status without waiting for the disk: run.json is what `plumbline runs` lists, while
   * the journal (written before every effect) is what a resumed run reads, so nothing the run does
   * next depends on this write. A failure here is superseded by the final, awaited save.
   */
  private saveMetaSoon(status: RunMeta['status']): void {
    this.saveMeta(status).catch(() => undefined);
  }

  /** Queued behind earlier saves, so a slow write never lands after a newer one. */
  private saveMeta(status: RunMeta['status'], createdAt?: string, error?: string): Promise<void> {
    const write = this.metaWrites.then(() => this.writeMeta(status, createdAt, error));
    this.metaWrites = write.catch(() => undefined);
    return write;
  }

  private async writeMeta(status: RunMeta['status'], createdAt?: string, error?: string): Promise<void> {
    const plan = this.plan;
    await writeRunMeta(this.host.workspace.root, {
      runId: this.options.runId,
      task: this.options.task,
      status,
      createdAt: createdAt ?? this.createdAt,
      updatedAt: new Date().toISOString(),
      costUsd: this.ledger.totals.costUsd,
      stepsDone: plan?.steps.filter((step) => step.status === 'done').length ?? 0,
      stepsTotal: plan?.steps.length ?? 0,
      ...(plan?.summaryOfChanges !== undefined ? { summary: plan.summaryOfChanges } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    if (createdAt !== undefined) this.createdAt = createdAt;
  }

  private createdAt = new Date().toISOString();
}

interface Explored {
  readonly git: Awaited<ReturnType<typeof createGitPort>>;
  readonly overview: Awaited<ReturnType<typeof projectOverview>>;
  readonly hiddenFound: readonly string[];
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));

/** Test files a step names in `verify` (space or comma separated), to run before the full suite. */
function testFilesOf(step: PlanStep): string[] {
  if (step.verify === undefined) return [];
  return step.verify.split(/[\s,]+/).filter((part) => /\.(test|spec)\.[cm]?[jt]sx?$|^tests?\/|_test\.(py|go)$|^test_.*\.py$/.test(part));
}
