import { totalTokens, type CallRecord } from '../model/usageLedger';

/** What a stretch of calls used, as the plan shows it per attempt and per review. */
export interface MeteredUsage {
  readonly tokens: number;
  /** A lower bound when `unpricedCalls` > 0. */
  readonly usd: number;
  readonly unpricedCalls: number;
}

/**
 * Counts the calls of one conversation between two readings (an attempt, a review): the run's
 * ledger keeps the totals, this keeps the part the plan attributes to one attempt.
 */
export class UsageMeter {
  #tokens = 0;
  #usd = 0;
  #unpriced = 0;

  readonly record = (call: CallRecord): void => {
    this.#tokens += totalTokens(call.usage);
    this.#usd += call.costUsd ?? 0;
    if (call.costUsd === null) this.#unpriced += 1;
  };

  /** What was used since the last `take`, and starts counting again. */
  take(): MeteredUsage {
    const used = { tokens: this.#tokens, usd: this.#usd, unpricedCalls: this.#unpriced };
    this.#tokens = 0;
    this.#usd = 0;
    this.#unpriced = 0;
    return used;
  }
}
