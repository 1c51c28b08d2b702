import type { PlanStep } from '../../protocol/plan';
import { addNote } from '../plan/planState';
import type { RunContext } from './runContext';
import type { WorkerOutcome } from './worker';

/** What the user may decide before a step fails for good; a number in a free answer is "that many more attempts". */
export const lastAttemptChoices = ['Give it 1 more attempt', 'Give it 3 more attempts', 'Re-plan it', 'Drop it'] as const;

/** More attempts than this in one answer are cut to it: each attempt costs a worker turn and a test run. */
export const maxExtraAttempts = 10;

export type LastAttemptDecision =
  | { readonly kind: 'more'; readonly attempts: number }
  | { readonly kind: 'replan' }
  | { readonly kind: 'drop' }
  /** No answer (no terminal, a timeout, an answer that says none of these): the step fails as it would have. */
  | { readonly kind: 'fail' };

/** Reads the user's answer, a choice or free text ("2 more", "replan", "drop it"). */
export function parseLastAttemptAnswer(answer: string): LastAttemptDecision {
  const text = answer.trim().toLowerCase();
  if (/re-?\s?plan/.test(text)) return { kind: 'replan' };
  if (/\b(drop|skip)\b/.test(text)) return { kind: 'drop' };
  const count = /\b(\d{1,3})\b/.exec(text);
  if (count?.[1] !== undefined && Number(count[1]) > 0) return { kind: 'more', attempts: Math.min(maxExtraAttempts, Number(count[1])) };
  if (/\b(more|again|retry|yes|y)\b/.test(text)) return { kind: 'more', attempts: 1 };
  return { kind: 'fail' };
}

/**
 * Called by the fix loop when a step has failed its last attempt, before it fails for good: the user
 * is asked (interactive clients only: a client that cannot ask answers nothing, and the step fails as
 * before) whether to give it more attempts, re-plan it (what a failed step gets anyway, within the
 * run's caps) or drop it (no re-plan; steps that depend on it are blocked). Resolves with the number
 * of extra attempts, or with the step's final outcome.
 */
export async function beforeStepFails(ctx: RunContext, step: PlanStep, attempts: number, failure: Extract<WorkerOutcome, { status: 'failed' }>): Promise<{ readonly status: 'retry'; readonly attempts: number } | WorkerOutcome> {
  if (ctx.host.askUser === undefined) return failure;
  const outcome = await ctx.questions.ask({
    stepId: step.id,
    kind: 'lastAttempt',
    question: `Step ${step.id} (${step.title}) failed its last attempt (${String(attempts)} of ${String(attempts)}): ${failure.error.slice(0, 600)}\nGive it more attempts, re-plan it, or drop it?`,
    choices: lastAttemptChoices,
  });
  const decision = outcome.kind === 'answered' ? parseLastAttemptAnswer(outcome.answer) : { kind: 'fail' as const };
  switch (decision.kind) {
    case 'more':
      await ctx.plan.update(addNote(ctx.plan.current(), `${step.id}: you gave it ${String(decision.attempts)} more attempt${decision.attempts === 1 ? '' : 's'} after attempt ${String(attempts)} failed.`));
      return { status: 'retry', attempts: decision.attempts };
    case 'replan':
      return { ...failure, error: `${failure.error} You asked to re-plan it.` };
    case 'drop':
      return { ...failure, error: `Dropped at your request after ${String(attempts)} attempt${attempts === 1 ? '' : 's'}: ${failure.error}`, dropped: true };
    case 'fail':
      return failure;
  }
}
