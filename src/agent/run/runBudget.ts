import type { Usage } from '../model/modelTypes';

export interface BudgetLimits {
  readonly maxCalls?: number;
  readonly maxTokens?: number;
  readonly maxCostUsd?: number;
  readonly maxWallClockMs?: number;
}

export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

/**
 * The run's budget, checked before every model request (never only between turns) and across all
 * roles and workers together, so a runaway loop stops at the limit, not after it.
 */
export class RunBudget {
  private calls = 0;
  /** Requests `check` has let through, answered or not: parallel workers cannot all take the last one. */
  private allowed = 0;
  private tokens = 0;
  private costUsd = 0;

  constructor(
    readonly limits: BudgetLimits,
    private readonly startedAt: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Set by `halt`: every later check throws with it. */
  private halted: string | undefined;

  /**
   * Throws `BudgetExceededError` naming the limit when the next request may not be made; otherwise
   * counts it as made. `call` names the model it goes to: a cost limit cannot count a model without
   * a price, so such a request is refused unless a token limit bounds the run instead.
   */
  check(call?: { readonly model: string; readonly priced: boolean }): void {
    const { maxCalls, maxTokens, maxCostUsd, maxWallClockMs } = this.limits;
    if (this.halted !== undefined) throw new BudgetExceededError(this.halted);
    if (call !== undefined && !call.priced && maxCostUsd !== undefined && maxTokens === undefined) throw new BudgetExceededError(unpricedCostLimit(maxCostUsd, [call.model]));
    if (maxCalls !== undefined && Math.max(this.calls, this.allowed) >= maxCalls) throw new BudgetExceededError(`the run reached its limit of ${maxCalls} model calls`);
    if (maxTokens !== undefined && this.tokens >= maxTokens) throw new BudgetExceededError(`the run reached its limit of ${maxTokens} tokens`);
    if (maxCostUsd !== undefined && this.costUsd >= maxCostUsd) {
      throw new BudgetExceededError(`the run reached its cost limit of $${dollars(maxCostUsd)} (spent $${this.costUsd.toFixed(4)})`);
    }
    if (maxWallClockMs !== undefined && this.now() - this.startedAt >= maxWallClockMs) {
      throw new BudgetExceededError(`the run reached its time limit of ${Math.round(maxWallClockMs / 1000)} s`);
    }
    this.allowed += 1;
  }

  /** Stops the run at its next request, for a reason outside the budget proper (its journal is full). */
  halt(reason: string): void {
    this.halted ??= reason;
  }

  record(usage: Usage, costUsd: number | null): void {
    this.calls += 1;
    this.tokens += usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    this.costUsd += costUsd ?? 0;
  }

  get spent(): { calls: number; tokens: number; costUsd: number } {
    return { calls: this.calls, tokens: this.tokens, costUsd: this.costUsd };
  }
}

/**
 * Why a cost limit cannot hold for these models, and what to set instead: the run's reason when a
 * request to one is refused, and the refusal of a run that would start with one.
 */
export function unpricedCostLimit(maxCostUsd: number, models: readonly string[]): string {
  const which = models.map((model) => `"${model}"`).join(' and ');
  return (
    `the cost limit of $${dollars(maxCostUsd)} cannot be enforced: ${models.length === 1 ? 'the model' : 'the models'} ${which} ${models.length === 1 ? 'has' : 'have'} no known price. ` +
    'Set a token limit instead (--max-tokens, or plumbline.budget.maxTokens), or the price in plumbline.prices'
  );
}

/** Cents as usual, but a limit below a cent keeps its digits ($0.004, not $0.00). */
function dollars(amount: number): string {
  const cents = amount.toFixed(2);
  return Number(cents) === amount ? cents : String(Number(amount.toFixed(6)));
}
