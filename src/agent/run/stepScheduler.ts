import type { PlanStep } from '../../protocol/plan';
import { stepTools } from './runMcp';
import { addNote, finishStep, replacePendingSteps, skipStep, startStep } from '../plan/planState';
import { blockedSteps, readySteps } from '../plan/validatePlan';
import { CommandRunner } from '../commands/commandRunner';
import { defaultSandboxSettings } from '../sandbox/sandboxPolicy';
import { verifyWithFixes } from './fixLoop';
import { stagedEntry } from './journal';
import type { Landing } from './landing';
import { loopOptions } from './loopOptions';
import { stepClient } from './modelRouting';
import type { Orchestrator } from './orchestrator';
import { heldBackNote, holdBackProtected } from './protectedExecution';
import { defaultReplanLimits, replanAfterFailure } from './replanGuard';
import { ReviewTurns } from './reviewTurns';
import { RunCancelled, type RunContext } from './runContext';
import { WorkerSession } from './worker';

/**
 * Runs the approved plan's steps: ready steps in parallel (up to the setting), each by its worker
 * on its own fork of the staged work, verified through the fix loop, committed to the overlay when
 * done (and, in step mode, reviewed before anything builds on it); a failed step is re-planned
 * within the run's caps. Its own room because it is the run's only concurrency: everything about
 * which step runs when, and what a step's end does to the plan, is here.
 */
export class StepScheduler {
  readonly #commands: CommandRunner;
  /** Step mode: reviews offered in plan order, whichever step finished first. */
  readonly #turns: ReviewTurns;

  constructor(
    private readonly ctx: RunContext,
    private readonly orchestrator: Orchestrator,
    private readonly landing: Landing,
  ) {
    const { options, host } = ctx;
    this.#turns = new ReviewTurns(() => ctx.plan.current().steps.map((step) => step.id));
    this.#commands = new CommandRunner({
      gate: ctx.gate,
      sandbox: options.sandbox ?? defaultSandboxSettings,
      root: host.workspace.root,
      timeoutMs: options.verification.timeoutMs,
      policy: () => {
        const verification = ctx.verifier.current?.command ?? options.verification.command;
        return { allow: [], deny: [], workspaceTrusted: true, ...options.commands, ...(verification !== undefined ? { verificationCommand: verification } : {}) };
      },
      ...(host.unsavedBuffers !== undefined ? { buffers: () => host.unsavedBuffers?.() ?? new Map<string, string>() } : {}),
      ...(host.approveCommand !== undefined ? { approve: (question, signal) => host.approveCommand?.(question, signal) ?? Promise.resolve('deny' as const) } : {}),
      emit: (event) => host.emit({ type: 'command/finished', runId: options.runId, ...event, reasons: [...event.reasons] }),
    });
  }

  /** Runs ready steps until none is left; steps whose dependencies failed are skipped as blocked. */
  async run(): Promise<void> {
    const { ctx } = this;
    const running = new Map<string, Promise<void>>();
    let failure: { error: unknown } | undefined;
    for (;;) {
      if (ctx.signal.aborted) throw new RunCancelled();
      await ctx.plan.followUserEdits();
      // A step whose dependency is still running (in step mode: under review, or being re-planned
      // after one) waits, even though the dependency counts as done: it must not build on changes
      // the user may yet reject.
      const startable = readySteps(ctx.plan.current()).filter((step) => !running.has(step.id) && !step.dependsOn.some((id) => running.has(id)));
      for (const step of startable.slice(0, Math.max(0, ctx.options.maxParallel - running.size))) {
        // A step's promise never rejects: the first failure is kept and thrown here, after the
        // others have been told to stop, so no rejection is left unobserved.
        this.#turns.open(step.id);
        const work = this.runStep(step)
          .catch((error: unknown) => {
            failure ??= { error };
            ctx.stopWork();
          })
          .finally(() => {
            this.#turns.close(step.id);
            running.delete(step.id);
          });
        running.set(step.id, work);
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
      if (failure !== undefined) {
        await Promise.all(running.values());
        throw failure.error;
      }
    }
    for (const blocked of blockedSteps(ctx.plan.current())) {
      await ctx.plan.update(skipStep(ctx.plan.current(), blocked.step.id, `blocked by ${blocked.blockedBy.join(', ')}`));
    }
  }

  private async runStep(step: PlanStep): Promise<void> {
    const { ctx } = this;
    const { plan, options, host } = ctx;
    // fast: the workers' model; strong or unmarked: the orchestrator's.
    const client = stepClient(ctx, step);
    const model = client.model;
    await plan.update(startStep(plan.current(), step.id, { startedAt: new Date().toISOString(), model }));
    host.emit({ type: 'step/started', runId: options.runId, stepId: step.id, model });
    const fork = ctx.staged.fork();
    // A command sees the run's staged work with this step's edits on top, as verification does.
    // Files that run code keep their pre-run version in the command's copy until the user approves them.
    const runWorkerCommand = (command: string, purpose: string): ReturnType<CommandRunner['run']> => {
      const { runnable, held } = holdBackProtected([...ctx.staged.changes().filter((change) => !fork.changes().some((own) => own.path === change.path)), ...fork.changes()]);
      const note = heldBackNote(held);
      return this.#commands.run({ stepId: step.id, command, purpose, changes: runnable, ...(note !== undefined ? { note } : {}) }, ctx.workSignal);
    };
    const session = new WorkerSession(plan.current().steps.find((s) => s.id === step.id) ?? step, plan.current(), fork, loopOptions(ctx, 'worker', { stepId: step.id, client }), runWorkerCommand, stepTools(ctx, plan.current().steps.find((s) => s.id === step.id) ?? step));
    // Steps working side by side: a wave about to start waits a moment for this one to join it.
    const withdraw = ctx.verifier.current?.expect?.(step.id);
    let outcome: Awaited<ReturnType<WorkerSession['run']>>;
    try {
      outcome = await session.run();
      if (ctx.signal.aborted) throw new RunCancelled();
      const verifier = ctx.verifier.current;
      if (verifier !== undefined) outcome = await verifyWithFixes(ctx, verifier, step, session, outcome);
    } finally {
      // Joining a wave ended the wait for this step; a step that never asked for a verdict ends it here.
      withdraw?.();
    }
    if (outcome.status === 'done') {
      const evidence = ctx.passedBy.get(step.id);
      await ctx.journal.append(stagedEntry(step.id, fork.changes(), evidence));
      ctx.stagedSteps.push({ stepId: step.id, changes: fork.changes(), ...(evidence !== undefined ? { evidence } : {}) });
      await fork.commitTo(ctx.staged);
      for (const path of outcome.changedFiles) ctx.stepsByFile.set(path, [...(ctx.stepsByFile.get(path) ?? []), step.id]);
      await plan.update(finishStep(plan.current(), step.id, { status: 'done', summary: outcome.summary, changedFiles: [...outcome.changedFiles], ...(this.attemptClosed(step.id) ? {} : { attempt: { endedAt: new Date().toISOString(), outcome: 'passed' as const } }) }));
      host.emit({ type: 'step/finished', runId: options.runId, stepId: step.id, status: 'done', summary: outcome.summary, changedFiles: [...outcome.changedFiles] });
      if (options.approve === 'step') await this.reviewStep(step.id);
      return;
    }
    await plan.update(finishStep(plan.current(), step.id, { status: 'failed', error: outcome.error, changedFiles: [], ...(this.attemptClosed(step.id) ? {} : { attempt: { endedAt: new Date().toISOString(), outcome: 'error' as const, detail: outcome.error } }) }));
    host.emit({ type: 'step/finished', runId: options.runId, stepId: step.id, status: 'failed', error: outcome.error, changedFiles: [] });
    // Nothing of it to review: the steps below need not wait for its re-plan.
    this.#turns.close(step.id);
    if (outcome.dropped === true) return;
    // Capped per run and per step (a step re-planned under a new name counts as itself); no valid re-plan ends the run naming this failure.
    const revised = await replanAfterFailure(plan.current(), step.id, outcome.error, options.replans ?? defaultReplanLimits, () =>
      this.orchestrator.replan(
        plan.current(),
        `Step ${step.id} (${step.title}) failed: ${outcome.error}\nIts edits were discarded. Submit a revised plan for the remaining work (keep finished steps out of it), or the same pending steps if they still make sense.`,
      ),
    );
    await plan.update(addNote(replacePendingSteps(plan.current(), revised), `Re-planned after ${step.id} failed.`));
  }

  /**
   * Step mode: the step's changes are reviewed once the steps above it in the plan have been (in
   * plan order, not in the order they finished); a partial acceptance re-plans what is left.
   */
  private async reviewStep(stepId: string): Promise<void> {
    const { plan } = this.ctx;
    await this.#turns.turn(stepId);
    let declined: string[];
    try {
      declined = await this.landing.review([stepId]);
    } finally {
      this.#turns.close(stepId);
    }
    if (declined.length > 0 && readySteps(plan.current()).length + plan.current().steps.filter((s) => s.status === 'pending').length > 0) {
      const revised = await this.orchestrator.replan(
        plan.current(),
        `The user did not accept all of step ${stepId}'s changes (${declined.join(', ')}); the files are as the user left them. ` +
          'Submit the remaining plan, adjusted if later steps relied on the rejected changes.',
      );
      await plan.update(addNote(replacePendingSteps(plan.current(), revised), `Re-planned after the review of ${stepId}.`));
    }
  }

  private attemptClosed(stepId: string): boolean {
    const step = this.ctx.plan.current().steps.find((candidate) => candidate.id === stepId);
    const last = step?.attempts[step.attempts.length - 1];
    return last === undefined || last.outcome !== undefined;
  }
}
