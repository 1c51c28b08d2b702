import type * as z from 'zod';
import { priceSettingSchema } from '../../protocol/settings';
import type { ProviderId, Usage } from './modelTypes';

/** US dollars per million tokens: the same shape users write in the `plumbline.prices` setting. */
export const priceSchema = priceSettingSchema;
export type Price = z.infer<typeof priceSchema>;

/**
 * List prices of current models (USD per million tokens) as published by the providers. Keys match
 * a model id exactly or as a prefix, so dated snapshots (`claude-sonnet-4-5-20250929`) find their
 * family. Users override or extend it with the `plumbline.prices` setting.
 */
export const defaultPrices: Readonly<Record<string, Price>> = {
  // OpenAI: cached input is billed at the cache-read rate; there is no cache-write charge.
  'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  // Anthropic: 5-minute cache writes cost 1.25x input, cache reads 0.1x.
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
};

/** The price for a model: an override first, then the table; exact id first, then the longest prefix. */
export function findPrice(model: string, overrides: Readonly<Record<string, Price>> = {}): Price | undefined {
  for (const table of [overrides, defaultPrices]) {
    const exact = table[model];
    if (exact !== undefined) return exact;
    const prefix = Object.keys(table)
      .filter((key) => model.startsWith(key))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) return table[prefix];
  }
  return undefined;
}

/** Cost of one call in USD, or null when the price is unknown (a local or unlisted model). */
export function costOf(usage: Usage, price: Price | undefined): number | null {
  if (price === undefined) return null;
  const perToken = (rate: number | undefined, fallback: number): number => (rate ?? fallback) / 1_000_000;
  return (
    usage.inputTokens * perToken(price.input, 0) +
    usage.outputTokens * perToken(price.output, 0) +
    usage.cacheReadTokens * perToken(price.cacheRead, price.input) +
    usage.cacheWriteTokens * perToken(price.cacheWrite, price.input)
  );
}

/** Whether a provider at this base URL is local and therefore free (Ollama, LM Studio, vLLM on this machine). */
export function isLocalEndpoint(provider: ProviderId, baseUrl: string | undefined): boolean {
  if (provider === 'vscode-lm' || baseUrl === undefined) return false;
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}
