import type { PlanStep } from '../../protocol/plan';
import type { ModelClient } from '../model/modelTypes';
import type { RunContext } from './runContext';

/**
 * Which model runs a step's attempt. The orchestrator marks each step `fast` (the workers' model)
 * or `strong` (its own); a step it did not mark runs on the strong one, so work nobody judged
 * easy gets the capable model. After a failed attempt (tests or review) the retry escalates to
 * the strong model unless `plumbline.escalation` is off.
 */
export function stepClient(ctx: RunContext, step: Pick<PlanStep, 'route'>): ModelClient {
  return step.route === 'fast' ? ctx.host.clients.worker : ctx.host.clients.orchestrator;
}

/** The client for the attempt after a failed one; undefined: stay on the current model. */
export function escalatedClient(ctx: RunContext): ModelClient | undefined {
  return ctx.options.escalation === false ? undefined : ctx.host.clients.orchestrator;
}
