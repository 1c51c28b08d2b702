import { PlanStateError } from './planState';
import type { Plan, ReviewRecord } from '../../protocol/plan';

/**
 * Pure transitions that record the reviewer's verdicts in the live plan, as planState's do:
 * a new Plan with `revision + 1`, the argument untouched.
 */

/** Adds a review of one of a step's attempts; the step must be running or verifying it. */
export function addStepReview(plan: Plan, stepId: string, review: ReviewRecord): Plan {
  const step = plan.steps.find((candidate) => candidate.id === stepId);
  if (step === undefined) throw new PlanStateError(`Cannot record a review of step ${stepId}: the plan has no such step.`);
  if (step.status !== 'running' && step.status !== 'verifying') throw new PlanStateError(`Cannot record a review of step ${stepId}: it is ${step.status}.`);
  const steps = plan.steps.map((candidate) => (candidate === step ? { ...step, reviews: [...(step.reviews ?? []), review] } : candidate));
  return { ...plan, steps, revision: plan.revision + 1 };
}

/** The review of the whole run's change (`plumbline.review.mode` `end`). */
export function setRunReview(plan: Plan, review: ReviewRecord): Plan {
  return { ...plan, review, revision: plan.revision + 1 };
}
