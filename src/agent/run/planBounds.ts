import { maxSteps } from '../../protocol/plan';
import type { Plan, SubmittedPlan } from '../../protocol/plan';

/**
 * The size of a plan the orchestrator may submit, beyond the schema's per-field caps. The live plan
 * is journaled and sent to every client on each of its changes, so its size multiplies: a plan
 * bounded here keeps the journal and the event stream bounded too.
 */
export const maxSubmittedPlanBytes = 64 * 1024;
/** Steps in the live plan after a re-plan: the finished and failed ones stay, the new ones follow them. */
export const maxLiveSteps = 2 * maxSteps;

/** Problems with the plan's size, worded for the model that submitted it; empty when it fits. */
export function planSizeErrors(submitted: SubmittedPlan, current?: Plan): string[] {
  const errors: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(submitted), 'utf8');
  if (bytes > maxSubmittedPlanBytes) {
    errors.push(`The plan is ${Math.ceil(bytes / 1024)} KB; at most ${maxSubmittedPlanBytes / 1024} KB: shorten the instructions (say what to change, not the code) or merge steps.`);
  }
  if (current !== undefined) {
    const kept = current.steps.filter((step) => step.status !== 'pending').length;
    if (kept + submitted.steps.length > maxLiveSteps) {
      errors.push(`The plan already has ${kept} started or finished steps; with ${submitted.steps.length} new ones it would have more than ${maxLiveSteps}: submit at most ${Math.max(0, maxLiveSteps - kept)} steps.`);
    }
  }
  return errors;
}
