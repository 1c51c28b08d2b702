import { defaultRunLimits } from '../../protocol/settings';
import type { Plan, PlanStep, SubmittedPlan } from '../../protocol/plan';
import { PlanningFailedError } from './orchestrator';

/**
 * Caps on re-planning after failed steps. An orchestrator that answers every failure with a
 * slightly different plan (new ids, the same files, the same instructions reworded) once made
 * ~20,000 requests in two minutes: each re-plan is counted against the run, and a re-planned step
 * that is the failed one under a new name is counted against that step.
 *
 * Nothing here keeps state: the plan keeps every failed step (a re-plan replaces only pending
 * ones), so the counts come from it, and a resumed run counts what the stopped one did.
 */
export interface ReplanLimits {
  /** Re-plans after failed steps, per run. */
  readonly maxReplans: number;
  /** Re-plans after the same step (under any of its names) failed. */
  readonly maxReplansPerStep: number;
}

/** `plumbline.limits.*` as they are when not set. */
export const defaultReplanLimits: ReplanLimits = { maxReplans: defaultRunLimits.maxReplans, maxReplansPerStep: defaultRunLimits.maxReplansPerStep };

/** The run ends: a cap was reached, or no re-plan followed a failed step. The message is the run's reason. */
export class ReplanStopError extends Error {
  override readonly name = 'ReplanStopError';
}

/** How alike two steps' words must be (0–1) for one to be the other under a new name. */
export const sameStepSimilarity = 0.8;
/** How much of their owned files they must share (intersection over union). */
export const sameStepFileOverlap = 0.5;

type StepText = Pick<PlanStep, 'title' | 'instructions' | 'files'>;

/** Lower case, one space, numbers as `#`: "Attempt 7:" and "attempt 12 -" read the same. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/[^\p{L}\p{N}#]+/gu, ' ').trim();
}

function trigrams(text: string): Map<string, number> {
  const padded = ` ${normalize(text)} `;
  const counts = new Map<string, number>();
  for (let index = 0; index + 3 <= padded.length; index++) {
    const gram = padded.slice(index, index + 3);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/** Dice coefficient of the two texts' character trigrams: 1 for the same words, near 0 for unrelated ones. */
export function textSimilarity(a: string, b: string): number {
  const left = trigrams(a);
  const right = trigrams(b);
  let total = 0;
  let shared = 0;
  for (const count of left.values()) total += count;
  for (const [gram, count] of right) {
    total += count;
    shared += Math.min(count, left.get(gram) ?? 0);
  }
  return total === 0 ? 1 : (2 * shared) / total;
}

function fileOverlap(a: readonly string[], b: readonly string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  if (left.size === 0 && right.size === 0) return 1;
  const shared = [...left].filter((path) => right.has(path)).length;
  return shared / new Set([...left, ...right]).size;
}

/** Whether `b` is `a` again under another name: mostly the same files, near-identical words. */
export function isSameStep(a: StepText, b: StepText): boolean {
  return fileOverlap(a.files, b.files) >= sameStepFileOverlap && textSimilarity(`${a.title}\n${a.instructions}`, `${b.title}\n${b.instructions}`) >= sameStepSimilarity;
}

/**
 * The failed steps of the plan that are `stepId` under one name or another, oldest first, itself
 * included. Likeness is followed step to step, so a step reworded a little more each time stays
 * one step.
 */
export function failuresOf(plan: Plan, stepId: string): PlanStep[] {
  const failed = plan.steps.filter((step) => step.status === 'failed');
  const start = failed.find((step) => step.id === stepId);
  if (start === undefined) return [];
  const found = new Set<PlanStep>([start]);
  const queue = [start];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const candidate of failed) {
      if (found.has(candidate) || !isSameStep(next, candidate)) continue;
      found.add(candidate);
      queue.push(candidate);
    }
  }
  return failed.filter((step) => found.has(step));
}

const sentence = (text: string): string => `${text.trim().replace(/[.\s]+$/, '')}.`;
const times = (count: number): string => (count === 1 ? 'once' : `${count} times`);

/** Why the run must stop instead of re-planning after `stepId` failed with `error`; undefined: it may re-plan. */
export function replanRefusal(plan: Plan, stepId: string, error: string, limits: ReplanLimits): string | undefined {
  const step = plan.steps.find((candidate) => candidate.id === stepId);
  if (step === undefined) return undefined;
  const same = failuresOf(plan, stepId);
  const named = `Step ${step.id} (${step.title})`;
  if (same.length > limits.maxReplansPerStep) {
    const aliases = same.length > 1 ? ` (as ${same.map((failed) => failed.id).join(', ')}: a re-planned step with the same files and near-identical instructions is the same step)` : '';
    return (
      `${named} failed ${times(same.length)}${aliases}; plumbline.limits.maxReplansPerStep allows ${limits.maxReplansPerStep} re-plan${limits.maxReplansPerStep === 1 ? '' : 's'} of a step. ` +
      `Its last failure: ${sentence(error)}`
    );
  }
  const replans = plan.steps.filter((candidate) => candidate.status === 'failed').length - 1;
  if (replans >= limits.maxReplans) {
    return `The run already re-planned ${times(replans)} after failed steps, its limit (plumbline.limits.maxReplans); then ${named} failed: ${sentence(error)}`;
  }
  return undefined;
}

/**
 * After a step failed: stops the run if a cap says so, otherwise asks for a revised plan. When no
 * valid plan comes back, the run ends naming the step and its failure (the cause), with the
 * orchestrator's part after it, never as a bare "no valid plan".
 */
export async function replanAfterFailure(plan: Plan, stepId: string, error: string, limits: ReplanLimits, replan: () => Promise<SubmittedPlan>): Promise<SubmittedPlan> {
  const refusal = replanRefusal(plan, stepId, error, limits);
  if (refusal !== undefined) throw new ReplanStopError(refusal);
  try {
    return await replan();
  } catch (cause) {
    if (!(cause instanceof PlanningFailedError)) throw cause;
    const title = plan.steps.find((candidate) => candidate.id === stepId)?.title;
    throw new ReplanStopError(`Step ${stepId}${title !== undefined ? ` (${title})` : ''} failed: ${sentence(error)} No re-plan followed: ${sentence(cause.detail ?? 'the orchestrator submitted no valid plan')}`, { cause });
  }
}
