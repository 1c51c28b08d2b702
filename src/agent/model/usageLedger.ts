import { addUsage, emptyUsage, type ModelRole, type ProviderId, type Usage } from './modelTypes';

/** One model call's usage and cost, as emitted to clients. */
export interface CallRecord {
  readonly role: ModelRole;
  readonly provider: ProviderId;
  readonly model: string;
  readonly usage: Usage;
  /** USD; null when the model's price is unknown. */
  readonly costUsd: number | null;
}

export interface UsageTotals {
  readonly calls: number;
  readonly usage: Usage;
  readonly costUsd: number;
  /** Calls whose cost is unknown, so `costUsd` is a lower bound. */
  readonly unpricedCalls: number;
}

export type UsageEvent =
  | { readonly type: 'usage/call'; readonly call: CallRecord; readonly run: UsageTotals; readonly byRole: Readonly<Record<ModelRole, UsageTotals>> };

const zeroTotals: UsageTotals = { calls: 0, usage: emptyUsage, costUsd: 0, unpricedCalls: 0 };

function add(totals: UsageTotals, call: CallRecord): UsageTotals {
  return {
    calls: totals.calls + 1,
    usage: addUsage(totals.usage, call.usage),
    costUsd: totals.costUsd + (call.costUsd ?? 0),
    unpricedCalls: totals.unpricedCalls + (call.costUsd === null ? 1 : 0),
  };
}

/** Totals for one run: per call, per role and overall, each change emitted as an event. */
export class UsageLedger {
  private run: UsageTotals = zeroTotals;
  private byRole: Record<ModelRole, UsageTotals> = { orchestrator: zeroTotals, worker: zeroTotals, reviewer: zeroTotals };

  constructor(private readonly emit: (event: UsageEvent) => void = () => undefined) {}

  record(call: CallRecord): void {
    this.run = add(this.run, call);
    this.byRole = { ...this.byRole, [call.role]: add(this.byRole[call.role], call) };
    this.emit({ type: 'usage/call', call, run: this.run, byRole: this.byRole });
  }

  /** Counts calls made before (a resumed run's, from its journal) without emitting an event for each. */
  restore(calls: readonly CallRecord[]): void {
    for (const call of calls) {
      this.run = add(this.run, call);
      this.byRole = { ...this.byRole, [call.role]: add(this.byRole[call.role], call) };
    }
  }

  get totals(): UsageTotals {
    return this.run;
  }

  totalsFor(role: ModelRole): UsageTotals {
    return this.byRole[role];
  }
}

/** Every token of the calls: input, output, cache reads and writes. */
export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/** The plan's cost from a run's totals: dollars, and the tokens that say more when some calls have no price. */
export function planCost(totals: UsageTotals): { usd: number; unpricedCalls: number; tokens: number } {
  return { usd: totals.costUsd, unpricedCalls: totals.unpricedCalls, tokens: totalTokens(totals.usage) };
}
