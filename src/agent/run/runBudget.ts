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

  /** Throws `BudgetExceededError` naming the limit when the next request may not be made; otherwise counts it as made. */
  check(): void {
    const { maxCalls, maxTokens, maxCostUsd, maxWallClockMs } = this.limits;
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

  record(usage: Usage, costUsd: number | null): void {
    this.calls += 1;
    this.tokens += usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    this.costUsd += costUsd ?? 0;
  }

  get spent(): { calls: number; tokens: number; costUsd: number } {
    return { calls: this.calls, tokens: this.tokens, costUsd: this.costUsd };
  }
}

/** Cents as usual, but a limit below a cent keeps its digits ($0.004, not $0.00). */
function dollars(amount: number): string {
  const cents = amount.toFixed(2);
  return Number(cents) === amount ? cents : String(Number(amount.toFixed(6)));
}
