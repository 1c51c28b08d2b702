import { addNote, createPlan, setStatus, setSummaryOfChanges, skipStep } from '../plan/planState';
import { planningTools, validationWithMcp } from './runMcp';
import { SandboxRefusedError } from '../sandbox/executionGate';
import { cleanupStaleIsolations } from '../verify/isolatedWorkspace';
import { probeRepo } from '../verify/isolationGit';
import { StepVerifier } from '../verify/stepVerifier';
import { createGitPort } from '../workspace/gitPort';
import { explore, type Explored } from './explore';
import type { RecoveredRun } from './journal';
import { Landing } from './landing';
import { commitToBranch } from './branchLanding';
import { loopOptions } from './loopOptions';
import { Orchestrator } from './orchestrator';
import { protectedFilesNote } from './protectedPlanNote';
import { restoreRun } from './resume';
import { BudgetExceededError } from './runBudget';
import { planCost } from '../model/usageLedger';
import { describeModelError, ModelError, modelProblem } from '../model/modelErrors';
import { createRunContext, RunCancelled, type RunContext } from './runContext';
import type { RunEvent, RunStatus } from '../../protocol/run';
import type { RunHost, RunOptions, RunResult } from './runHost';
import { RunRecord } from './runRecord';
import { acquireRunLock } from './runStore';
import { createVerification, freshBaseline, startVerification, type BaselinePlan } from './runVerification';
import { summarizeRun } from './runSummary';
import { StepScheduler } from './stepScheduler';
import { reviewWholeRun } from './stepReview';
import type { WorkerLoopOptions } from './worker';
import { withoutCopyPaths } from '../sandbox/copyPaths';
import { unfinishedStepsReason } from './runReason';

/**
 * One run's lifecycle: take the workspace's lock, plan in the open (or resume from the journal),
 * start verification, hand the steps to the scheduler, land what the approval mode allows, and
 * settle the plan, the journal and the run's record before letting go. The jobs in between are
 * rooms of their own (`stepScheduler`, `fixLoop`, `landing`, `resume`, `runRecord`, `livePlan`),
 * sharing one `RunContext`.
 */
export class RunEngine {
  private readonly ctx: RunContext;
  private readonly record: RunRecord;
  private readonly landing: Landing;
  private release: (() => Promise<void>) | undefined;
  private staleCleanup: Promise<unknown> | undefined;
  private exploring: Promise<Explored> | undefined;
  private requestOut: () => void = () => undefined;
  /** Resolves once the orchestrator's first model request has been sent (or the run has ended). */
  private readonly firstRequestOut = new Promise<void>((resolve) => {
    this.requestOut = resolve;
  });

  constructor(
    private readonly options: RunOptions,
    private readonly host: RunHost,
    private readonly signal: AbortSignal,
    /** A crashed run's journal, to resume from its last settled point instead of planning anew. */
    private readonly recovered?: RecoveredRun,
  ) {
    this.ctx = createRunContext(options, host, signal, recovered);
    const { plan, ledger } = this.ctx;
    this.record = new RunRecord(host.workspace.root, options.runId, options.task, {
      plan: () => plan.value,
      costUsd: () => ledger.totals.costUsd,
      applied: () => [...this.ctx.applied],
      unreviewed: () => this.ctx.staged.changes().map((change) => change.path),
      usage: () => planCost(ledger.totals),
    });
    this.landing = new Landing(this.ctx);
  }

  /** Takes the workspace's run lock; `run` does it too, but a host may want the refusal before starting. */
  async lock(): Promise<void> {
    this.release ??= await acquireRunLock(this.host.workspace.root, this.options.runId);
  }

  async run(): Promise<RunResult> {
    const { runId, task } = this.options;
    const { plan, journal } = this.ctx;
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
    if (this.recovered === undefined) {
      // The verifier and its baseline start while the orchestrator plans: only the first verdict waits for the suite.
      const prepared = StepVerifier.prepareAhead(root, this.options.verification.command, this.staleCleanup, repo);
      const staleCleanup = this.staleCleanup;
      this.ctx.verifier.startEarly(planning.then(() => createVerification(this.ctx, staleCleanup, freshBaseline, { prepared })));
    }
    const createdAt = new Date().toISOString();
    let finished: Extract<RunEvent, { type: 'run/finished' }> | undefined;
    try {
      this.host.emit({ type: 'run/started', runId, task, planPath: plan.document.path });
      // Reads only (git processes, the overview): they run while the run's record is written.
      if (this.recovered === undefined) this.exploring = explore(this.host.workspace, repo);
      // While git works: what the first model request would otherwise load on its way out.
      setImmediate(() => this.host.clients.orchestrator.warmUp?.());
      await this.record.save('planning', createdAt);
      if (this.recovered === undefined) {
        await journal.append({ kind: 'started', at: createdAt, task, options: { ...(this.options.startParams ?? { task }) } });
      }
      const result = this.recovered !== undefined ? await this.resume(this.recovered) : await this.execute();
      finished = await this.finish(result, createdAt);
      return result;
    } finally {
      // A run that ended before its first model request still cleans up.
      this.requestOut();
      try {
        // Independent of one another; the lock goes only once all of them are done. The copy is
        // removed only now, after the run's record is settled: its many file-system calls would
        // otherwise queue the last writes behind them.
        await Promise.all([plan.document.flush().catch(() => undefined), journal.close(), this.staleCleanup, this.ctx.verifier.dispose()]);
        await this.release?.();
        this.release = undefined;
      } finally {
        // Last, once the workspace is free and the copy gone: a client may start the next run (or
        // check that nothing is left) as soon as it reads this.
        if (finished !== undefined) this.host.emit(finished);
      }
    }
  }

  private async execute(): Promise<RunResult> {
    const { plan, phase } = this.ctx;
    try {
      phase('exploring');
      const { git, overview, hiddenFound } = await (this.exploring ?? explore(this.host.workspace));
      const orchestrator = new Orchestrator(this.host.workspace, validationWithMcp(this.ctx), this.orchestratorLoop(), this.host.symbols, git, planningTools(this.ctx));
      const submitted = await orchestrator.plan(this.options.task, overview, this.options.scope);
      let draft = createPlan(this.options.runId, this.options.task, submitted);
      // Reported, not only removed: hidden text in a rule file is how prompt injections hide.
      if (hiddenFound.length > 0) draft = addNote(draft, `Removed before the model read them: ${hiddenFound.join('; ')}.`);
      // What the orchestrator asked the user while planning, before there was a plan to note it in.
      for (const note of this.ctx.questions.takeEarlyNotes()) draft = addNote(draft, note);
      const protectedNote = protectedFilesNote(draft);
      if (protectedNote !== undefined) draft = addNote(draft, protectedNote);
      await plan.update(draft);

      phase('awaiting_approval');
      this.record.saveSoon('awaiting_approval');
      const decision = await this.host.approvePlan(plan.current(), await plan.document.write(plan.current()), this.signal);
      await plan.followUserEdits();
      if (decision.kind === 'cancel') return this.ended('cancelled', 'The plan was not approved.');
      await plan.update(setStatus(plan.current(), 'running'));
      return await this.executeApproved(orchestrator, freshBaseline);
    } catch (error) {
      return this.failure(error);
    }
  }

  /** Continues a crashed run: its plan, its approved and staged work, from the journal. */
  private async resume(recovered: RecoveredRun): Promise<RunResult> {
    try {
      const { plan } = recovered;
      if (plan === undefined) return this.ended('failed', 'The run stopped before it had a plan; start it again.');
      const baseline = await restoreRun(this.ctx, { ...recovered, plan });
      const orchestrator = new Orchestrator(this.host.workspace, validationWithMcp(this.ctx), this.orchestratorLoop(), this.host.symbols, await createGitPort(this.host.workspace.root), planningTools(this.ctx));
      orchestrator.resumeFrom(this.options.task, this.ctx.plan.current(), this.options.scope);
      // Step mode: what was verified but not yet reviewed is reviewed before anything builds on it.
      if (this.options.approve === 'step') await this.landing.review();
      return await this.executeApproved(orchestrator, baseline);
    } catch (error) {
      return this.failure(error);
    }
  }

  private async executeApproved(orchestrator: Orchestrator, baseline: BaselinePlan): Promise<RunResult> {
    try {
      this.ctx.phase('executing');
      this.record.saveSoon('running');
      const { reported } = await startVerification(this.ctx, this.staleCleanup, baseline);
      // Awaited after the steps; a run that ends early stops the baseline instead of waiting for it.
      reported.catch(() => undefined);
      await new StepScheduler(this.ctx, orchestrator, this.landing).run();
      await reported;
      await reviewWholeRun(this.ctx);
      await this.landing.review();
      // Cancelled while the review was open: nothing more was decided, so the run is cancelled, not
      // completed, and what was verified but not landed stays resumable.
      if (this.signal.aborted) return this.ended('cancelled', 'The run was cancelled during the review.');
      await this.landing.verifyAfterReview();
      const failed = this.ctx.plan.current().steps.filter((step) => step.status === 'failed' || step.status === 'skipped');
      if (failed.length > 0) return this.ended('failed', unfinishedStepsReason(failed));
      return this.ended('completed');
    } catch (error) {
      return this.failure(error);
    }
  }

  /** The orchestrator's loop; its requests tell the run when the first one is out. */
  private orchestratorLoop(): WorkerLoopOptions {
    return loopOptions(this.ctx, 'orchestrator', { onRequest: () => this.requestOut() });
  }

  private failure(error: unknown): RunResult {
    // Workers and test runs still going belong to a run that has ended: stop them now.
    this.ctx.stopWork();
    if (error instanceof SandboxRefusedError) return this.ended(error.cancelled ? 'cancelled' : 'failed', error.message);
    if (this.signal.aborted || error instanceof RunCancelled) return this.ended('cancelled', 'The run was cancelled.');
    if (error instanceof BudgetExceededError) return this.ended('failed', `Stopped: ${error.message}.`);
    if (error instanceof ModelError) return { ...this.ended('failed', describeModelError(error)), modelError: modelProblem(error, this.ctx.plan.value === undefined) };
    // An error about a verification copy (one that could not be made or reset) names the workspace, not the copy.
    return this.ended('failed', withoutCopyPaths(error instanceof Error ? error.message : String(error), this.host.workspace.root));
  }

  private ended(status: RunStatus, reason?: string): RunResult {
    return { status, ...(reason !== undefined ? { reason } : {}), plan: this.ctx.plan.value, applied: [...this.ctx.applied] };
  }

  /** Settles the plan and the run's record; returns the run/finished event, which `run` sends last. */
  private async finish(result: RunResult, createdAt: string): Promise<Extract<RunEvent, { type: 'run/finished' }>> {
    const { plan, ledger, journal } = this.ctx;
    if (plan.value !== undefined) {
      let settled = plan.value;
      for (const step of settled.steps.filter((s) => s.status === 'running' || s.status === 'pending' || s.status === 'verifying')) settled = skipStep(settled, step.id, result.reason ?? 'the run ended', 'cancelled');
      const committed = await commitToBranch(this.ctx, settled, result.status);
      const summary = summarizeRun(settled, result, ledger.totals, this.options.approve, this.options.commitToBranch?.branch);
      settled = setSummaryOfChanges(setStatus(settled, result.status), committed !== undefined ? `${summary}\n${committed}` : summary);
      // The final plan.md and run.json are written side by side.
      const updating = plan.update(settled);
      await Promise.all([updating, this.record.save(result.status, createdAt, result.reason)]);
    } else {
      await this.record.save(result.status, createdAt, result.reason);
    }
    const summary = plan.value?.summaryOfChanges ?? result.reason ?? '';
    // An interrupted apply leaves the journal open, so `resume` can land the rest.
    if (!this.landing.interrupted) await journal.append({ kind: 'finished', status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}) });
    this.ctx.phase('finished');
    const reason = result.reason !== undefined ? { reason: result.reason } : {};
    return {
      type: 'run/finished',
      runId: this.options.runId,
      status: result.status,
      ...reason,
      summary,
      applied: [...result.applied],
      costUsd: ledger.totals.costUsd,
      ...(result.modelError !== undefined ? { modelError: result.modelError } : {}),
    };
  }
}
