/**
 * How a run's spend reads in the CLI, the sidebar and the status bar. A model without a known price
 * makes dollars meaningless (they count only the priced calls), so then the tokens are what is shown.
 */
export interface CostShown {
  readonly usd: number;
  /** Calls whose price is unknown: `usd` leaves them out. */
  readonly unpricedCalls: number;
  /** Every call's tokens (input, output, cache reads and writes). */
  readonly tokens?: number;
}

/** `12,345` → `12.3k`, `1,234,567` → `1.23M`: short enough for a status line. */
export function formatTokens(tokens: number): string {
  if (tokens < 1000) return `${tokens} tokens`;
  if (tokens < 1_000_000) return `${Number((tokens / 1000).toFixed(tokens < 10_000 ? 2 : 1))}k tokens`;
  return `${Number((tokens / 1_000_000).toFixed(2))}M tokens`;
}

/**
 * `$0.0123` when every call was priced; `0 tokens` before any call; with unpriced calls, the tokens
 * first: `45.6k tokens (unpriced)`, or `$0.0123 · 45.6k tokens (3 calls unpriced)` when only some
 * were (without the tokens: `unpriced`, `$0.0123 (+3 unpriced calls)`). Never `$0.0000` for a model
 * without a price.
 */
export function describeCost(cost: CostShown, formatUsd: (usd: number) => string = (usd) => `$${usd.toFixed(4)}`): string {
  if (cost.unpricedCalls === 0) return cost.usd === 0 && (cost.tokens ?? 0) === 0 ? '0 tokens' : formatUsd(cost.usd);
  const calls = `${cost.unpricedCalls} ${cost.unpricedCalls === 1 ? 'call' : 'calls'}`;
  if (cost.tokens === undefined) return cost.usd === 0 ? 'unpriced' : `${formatUsd(cost.usd)} (+${cost.unpricedCalls} unpriced ${cost.unpricedCalls === 1 ? 'call' : 'calls'})`;
  const tokens = formatTokens(cost.tokens);
  if (cost.usd === 0) return `${tokens} (unpriced)`;
  return `${formatUsd(cost.usd)} · ${tokens} (${calls} unpriced)`;
}
