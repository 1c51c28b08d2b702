import { readySteps } from './planGraph';
import { normalizeText, type Attempt, type Plan, type PlanStatus, type PlanStep, type StepStatus, type SubmittedPlan, type SubmittedStep } from '../../protocol/plan';

/**
 * Pure transitions of the live plan. Each returns a new Plan with `revision + 1` and leaves its
 * argument untouched, so the engine can render, persist and diff any two states. A transition the
 * state does not allow throws PlanStateError: that is an engine bug, never a user or model error
 * (those are reported by validatePlan and parsePlanEdit).
 */

export class PlanStateError extends Error {
  override readonly name = 'PlanStateError';
}

// A run may fail or be cancelled before any step starts (the model gives up, the user rejects the plan).
const planTransitions: Readonly<Record<PlanStatus, readonly PlanStatus[]>> = {
  draft: ['approved', 'running', 'failed', 'cancelled'],
  approved: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

const next = (plan: Plan, change: Partial<Plan>): Plan => ({ ...plan, ...change, revision: plan.revision + 1 });

export function toPlanStep(step: SubmittedStep): PlanStep {
  return {
    id: step.id,
    title: step.title.trim(),
    instructions: normalizeText(step.instructions),
    files: [...step.files],
    dependsOn: [...new Set(step.depends_on)],
    ...(step.verify === undefined ? {} : { verify: step.verify.trim() }),
    ...(step.removes_tests === undefined || step.removes_tests.length === 0 ? {} : { removesTests: [...new Set(step.removes_tests.map((name) => name.trim()))] }),
    ...(step.model === undefined ? {} : { route: step.model }),
    ...(step.tools === undefined || step.tools.length === 0 ? {} : { tools: [...new Set(step.tools)] }),
    ...(step.estimated_lines === undefined ? {} : { estimatedLines: step.estimated_lines }),
    status: 'pending',
    attempts: [],
    changedFiles: [],
  };
}

/** A draft from a submitted plan that validatePlan accepted. */
export function createPlan(runId: string, task: string, submitted: SubmittedPlan): Plan {
  return {
    runId,
    task,
    summary: submitted.summary.trim(),
    status: 'draft',
    steps: submitted.steps.map(toPlanStep),
    notes: [],
    cost: { usd: 0, unpricedCalls: 0 },
    revision: 1,
  };
}

export function setStatus(plan: Plan, status: PlanStatus): Plan {
  if (!planTransitions[plan.status].includes(status)) throw new PlanStateError(`A ${plan.status} plan cannot become ${status}.`);
  return next(plan, { status });
}

/**
 * A run that failed while landing its changes (a full disk) is resumed to land the rest: its plan,
 * and only such a plan, goes from failed back to running. Other transitions out of failed stay closed.
 */
export function reopenAfterInterruptedApply(plan: Plan): Plan {
  if (plan.status !== 'failed') throw new PlanStateError(`A ${plan.status} plan is not a failed one to reopen.`);
  return next(plan, { status: 'running' });
}

function updateStep(plan: Plan, id: string, from: readonly StepStatus[], action: string, update: (step: PlanStep) => PlanStep): Plan {
  const step = plan.steps.find((candidate) => candidate.id === id);
  if (step === undefined) throw new PlanStateError(`Cannot ${action} step ${id}: the plan has no such step.`);
  if (!from.includes(step.status)) throw new PlanStateError(`Cannot ${action} step ${id}: it is ${step.status}.`);
  return next(plan, { steps: plan.steps.map((candidate) => (candidate === step ? update(step) : candidate)) });
}

/** The last attempt, while it has neither ended nor an outcome. */
const openAttempt = (step: PlanStep): Attempt | undefined => {
  const last = step.attempts.at(-1);
  return last !== undefined && last.endedAt === undefined && last.outcome === undefined ? last : undefined;
};

/** pending → running, opening attempt 1. Only in a running plan, and only once its dependencies are done. */
export function startStep(plan: Plan, id: string, start: { readonly startedAt: string; readonly model?: string }): Plan {
  if (plan.status !== 'running') throw new PlanStateError(`Cannot start step ${id}: the plan is ${plan.status}, not running.`);
  const target = plan.steps.find((step) => step.id === id);
  if (target?.status === 'pending' && !readySteps(plan).includes(target)) throw new PlanStateError(`Cannot start step ${id}: its dependencies are not all done.`);
  return updateStep(plan, id, ['pending'], 'start', (step) => ({
    ...step,
    status: 'running',
    attempts: [...step.attempts, { number: step.attempts.length + 1, startedAt: start.startedAt, ...(start.model === undefined ? {} : { model: start.model }) }],
    ...(start.model === undefined ? {} : { model: start.model }),
  }));
}

/** A retry after a failed verification: opens the next attempt and goes back to running. */
export function startAttempt(plan: Plan, id: string, startedAt: string, model?: string): Plan {
  return updateStep(plan, id, ['running', 'verifying'], 'retry', (step) => {
    if (openAttempt(step) !== undefined) throw new PlanStateError(`Cannot retry step ${id}: attempt ${step.attempts.length} has not ended.`);
    return { ...step, status: 'running', attempts: [...step.attempts, { number: step.attempts.length + 1, startedAt, ...(model === undefined ? {} : { model }) }] };
  });
}

/** running → verifying: the worker is done editing and the step's tests run. */
export function markVerifying(plan: Plan, id: string): Plan {
  return updateStep(plan, id, ['running'], 'verify', (step) => ({ ...step, status: 'verifying' }));
}

export interface AttemptEnd {
  /** Absent when the caller did not time it. */
  readonly endedAt?: string;
  readonly outcome: NonNullable<Attempt['outcome']>;
  readonly detail?: string;
  readonly usage?: Attempt['usage'];
}

function closeAttempt(step: PlanStep, end: AttemptEnd): PlanStep {
  const open = openAttempt(step);
  if (open === undefined) throw new PlanStateError(`Cannot record an attempt of step ${step.id}: none is in progress.`);
  const closed: Attempt = {
    ...open,
    ...(end.endedAt === undefined ? {} : { endedAt: end.endedAt }),
    outcome: end.outcome,
    ...(end.detail === undefined ? {} : { detail: end.detail }),
    ...(end.usage === undefined ? {} : { usage: { ...end.usage } }),
  };
  return { ...step, attempts: [...step.attempts.slice(0, -1), closed] };
}

/** Ends the attempt in progress with its outcome; the step's status is left to the caller. */
export function recordAttempt(plan: Plan, id: string, end: AttemptEnd): Plan {
  return updateStep(plan, id, ['running', 'verifying'], 'record an attempt of', (step) => closeAttempt(step, end));
}

export interface StepResult {
  readonly status: 'done' | 'failed';
  readonly summary?: string;
  readonly error?: string;
  readonly changedFiles?: readonly string[];
  readonly model?: string;
  /**
   * How the attempt in progress ended. Without it, an attempt still in progress is closed with the
   * outcome the status implies (`passed` or `failed`) and no end time, so a caller that does not
   * track attempts still leaves a consistent history.
   */
  readonly attempt?: AttemptEnd;
}

/** running/verifying → done or failed, with what the worker reported. */
export function finishStep(plan: Plan, id: string, result: StepResult): Plan {
  return updateStep(plan, id, ['running', 'verifying'], 'finish', (step) => {
    const implied: AttemptEnd = { outcome: result.status === 'done' ? 'passed' : 'failed' };
    const end = result.attempt ?? (openAttempt(step) === undefined ? undefined : implied);
    const settled = end === undefined ? step : closeAttempt(step, end);
    return {
      ...settled,
      status: result.status,
      ...(result.summary === undefined ? {} : { workerSummary: result.summary }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.changedFiles === undefined ? {} : { changedFiles: [...result.changedFiles] }),
      ...(result.model === undefined ? {} : { model: result.model }),
    };
  });
}

/**
 * done → failed: what the user accepted of a step (some of its hunks) landed, and the tests fail on
 * it. The step is not reported done, and the steps that depend on it are blocked.
 */
export function failLandedStep(plan: Plan, id: string, reason: string): Plan {
  return updateStep(plan, id, ['done'], 'fail after landing', (step) => ({ ...step, status: 'failed', error: reason }));
}

/** A pending step that will not run (blocked by a failure: `skipped`), or any unfinished step when the run is stopped (`cancelled`). */
export function skipStep(plan: Plan, id: string, reason: string, status: 'skipped' | 'cancelled' = 'skipped'): Plan {
  const from: StepStatus[] = status === 'skipped' ? ['pending'] : ['pending', 'running', 'verifying'];
  return updateStep(plan, id, from, status === 'skipped' ? 'skip' : 'cancel', (step) => ({ ...step, status, error: reason }));
}

export function addNote(plan: Plan, note: string): Plan {
  return next(plan, { notes: [...plan.notes, note] });
}

export function setSummaryOfChanges(plan: Plan, summaryOfChanges: string): Plan {
  return next(plan, { summaryOfChanges });
}

export function setCost(plan: Plan, cost: Plan['cost']): Plan {
  return next(plan, { cost: { ...cost } });
}

/**
 * Re-planning: steps that have left `pending` stay as they are and where they are; the pending
 * ones are replaced by the new plan's steps, which follow them. Check the new plan with
 * `validateReplan` first.
 */
export function replacePendingSteps(plan: Plan, submitted: SubmittedPlan): Plan {
  const kept = plan.steps.filter((step) => step.status !== 'pending');
  const keptIds = new Set(kept.map((step) => step.id));
  const clash = submitted.steps.find((step) => keptIds.has(step.id));
  if (clash !== undefined) throw new PlanStateError(`Cannot re-plan: step ${clash.id} already exists and has started; validateReplan reports this.`);
  return next(plan, { summary: submitted.summary.trim(), steps: [...kept, ...submitted.steps.map(toPlanStep)] });
}

/**
 * After a crash: steps that were running or verifying go back to pending (their open attempt closed
 * as interrupted), so a resumed run starts them again from their last settled state.
 */
export function requeueInterrupted(plan: Plan, endedAt: string): Plan {
  let changed = false;
  const steps = plan.steps.map((step) => {
    if (step.status !== 'running' && step.status !== 'verifying') return step;
    changed = true;
    const attempts = step.attempts.map((attempt, index) =>
      index === step.attempts.length - 1 && attempt.outcome === undefined ? { ...attempt, endedAt, outcome: 'error' as const, detail: 'interrupted: the agent server stopped' } : attempt,
    );
    return { ...step, status: 'pending' as const, attempts };
  });
  return changed ? { ...plan, steps, revision: plan.revision + 1 } : plan;
}

/**
 * A cancelled run resumed by the user: the plan runs again, and the steps the cancel stopped go back
 * to pending (an open attempt closed as cancelled) so they start again. Done steps keep their
 * verified work, which the resumed run offers for review.
 */
export function reopenCancelled(plan: Plan, endedAt: string): Plan {
  if (plan.status !== 'cancelled') throw new PlanStateError(`A ${plan.status} plan is not a cancelled one to reopen.`);
  const steps = plan.steps.map((step) => {
    if (step.status !== 'cancelled') return step;
    const attempts = step.attempts.map((attempt, index) =>
      index === step.attempts.length - 1 && attempt.outcome === undefined ? { ...attempt, endedAt: attempt.endedAt ?? endedAt, outcome: 'error' as const, detail: 'cancelled' } : attempt,
    );
    const { error: _reason, ...rest } = step;
    return { ...rest, status: 'pending' as const, attempts };
  });
  const { summaryOfChanges: _ended, ...open } = plan;
  return { ...open, status: 'running', steps, revision: plan.revision + 1 };
}
