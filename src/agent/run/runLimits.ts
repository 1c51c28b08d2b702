import type { RunStartParams } from '../../protocol/run';
import type { PlumblineSettings } from '../../protocol/settings';
import { findPrice, type Price } from '../model/pricing';
import type { ReplanLimits } from './replanGuard';
import { unpricedCostLimit, type BudgetLimits } from './runBudget';

/** Everything that bounds one run: its budget, its re-plans and its journal. */
export interface RunLimits {
  readonly budget: BudgetLimits;
  readonly replans: ReplanLimits;
  readonly maxJournalBytes: number;
}

type StartLimits = Pick<RunStartParams, 'maxCostUsd' | 'maxCalls' | 'maxTokens' | 'maxMinutes'>;
type LimitSettings = Pick<PlumblineSettings, 'budget' | 'limits'>;

/**
 * A run's limits: what it was started with (`--max-*`), else the settings. A run always has a cap
 * on model requests (`plumbline.budget.maxCalls`, 400 unless set), so no loop is unbounded.
 */
export function runLimits(params: StartLimits, settings: LimitSettings): RunLimits {
  const maxTokens = params.maxTokens ?? (settings.budget.maxTokens > 0 ? settings.budget.maxTokens : undefined);
  return {
    budget: {
      maxCalls: params.maxCalls ?? settings.budget.maxCalls,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(params.maxCostUsd !== undefined ? { maxCostUsd: params.maxCostUsd } : {}),
      ...(params.maxMinutes !== undefined ? { maxWallClockMs: params.maxMinutes * 60000 } : {}),
    },
    replans: { maxReplans: settings.limits.maxReplans, maxReplansPerStep: settings.limits.maxReplansPerStep },
    maxJournalBytes: settings.limits.maxJournalMb * 1024 * 1024,
  };
}

/**
 * Why a run with this budget must not start: a cost limit and a model without a price (it would
 * count nothing) and no token limit to fall back on. Undefined when it may start.
 */
export function unpricedBudgetRefusal(budget: BudgetLimits, models: readonly string[], prices: Readonly<Record<string, Price>>): string | undefined {
  if (budget.maxCostUsd === undefined || budget.maxTokens !== undefined) return undefined;
  const unpriced = [...new Set(models)].filter((model) => findPrice(model, prices) === undefined);
  if (unpriced.length === 0) return undefined;
  const reason = unpricedCostLimit(budget.maxCostUsd, unpriced);
  return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
}
