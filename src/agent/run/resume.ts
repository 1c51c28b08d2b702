import { join } from 'node:path';
import type { Plan } from '../../protocol/plan';
import { addNote, reopenAfterInterruptedApply, reopenCancelled, requeueInterrupted, setStatus } from '../plan/planState';
import { sweepTemporaries } from '../workspace/atomicWrite';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { RecoveredRun } from './journal';
import { sameBytes } from './landing';
import type { RunContext } from './runContext';
import type { BaselinePlan } from './runVerification';

/**
 * Whether a cancelled run can be resumed: its plan was approved (a step had started), and it left
 * verified work nobody reviewed, or steps that did not finish. A run cancelled at its plan's
 * approval is not: resuming it would run a plan nobody approved.
 */
export function resumableAfterCancel(plan: Plan | undefined, unreviewed: number): boolean {
  if (plan === undefined || !plan.steps.some((step) => step.attempts.length > 0 || step.status === 'done')) return false;
  return unreviewed > 0 || plan.steps.some((step) => step.status === 'cancelled' || step.status === 'pending');
}

/**
 * Puts a crashed run back where its journal says it was: its plan (interrupted steps requeued,
 * the run running again), its staged work in the overlay, and which of it had already landed
 * before an interrupted apply. Returns what the baseline needs. Its own room because it is the
 * one part of a run that starts from the journal instead of from the task.
 */
export async function restoreRun(ctx: RunContext, recovered: RecoveredRun & { readonly plan: Plan }): Promise<BaselinePlan> {
  let plan = requeueInterrupted(recovered.plan, new Date().toISOString());
  if (plan.status === 'draft') plan = setStatus(plan, 'approved');
  if (plan.status === 'approved') plan = setStatus(plan, 'running');
  // Only an interrupted apply leaves a failed run's journal open (finish() writes no `finished`).
  if (plan.status === 'failed') plan = reopenAfterInterruptedApply(plan);
  const cancelled = plan.status === 'cancelled';
  if (cancelled) plan = reopenCancelled(plan, new Date().toISOString());
  await ctx.plan.update(
    addNote(plan, cancelled ? 'Resumed after it was cancelled: its verified work is offered for review, and the steps the cancel stopped start again.' : 'Resumed after the agent server stopped; interrupted steps start again.'),
  );
  // A server killed in the middle of applying leaves a temporary file beside the file it was writing.
  const { workspace } = ctx.host;
  await sweepTemporaries([...recovered.staged.keys()].map((path) => join(workspace.root, ...path.split('/'))));
  for (const change of recovered.staged.values()) {
    // Landed before an interrupted apply: already the user's bytes, so it leaves no change to review.
    if (sameBytes((await workspace.readFile(change.path).catch(() => undefined))?.bytes, change.after)) ctx.applied.add(change.path);
    if (change.after === undefined) await ctx.staged.delete(change.path).catch(() => undefined);
    else await ctx.staged.write(change.path, change.after);
    ctx.stepsByFile.set(change.path, [...(ctx.stepsByFile.get(change.path) ?? []), change.stepId]);
  }
  ctx.stagedSteps.push(...recovered.stagedSteps);
  // The copy for verification is taken from the workspace, where an interrupted apply left some
  // of the run's files landed: the baseline gets their pre-run bytes back, so failures the run
  // caused are never mistaken for ones that were there before. With no step left to verify (the
  // apply was the run's last act), there is no baseline to take.
  const restores = [...recovered.staged.values()]
    .filter((change) => ctx.applied.has(change.path))
    .map((change): StagedChange => ({ path: change.path, kind: change.before === undefined ? 'delete' : 'modify', before: change.after, after: change.before }));
  return { restores, needed: ctx.plan.current().steps.some((step) => step.status === 'pending') };
}
