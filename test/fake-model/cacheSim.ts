/**
 * Deterministic prompt-cache simulation, so clients that report or optimise
 * cache usage can be tested without a real provider.
 *
 * Model: every request's prompt is serialized segment by segment (tools,
 * system, messages). For each (provider, model) we remember the recent
 * prompts together with how much of each was "written" to the cache:
 *  - OpenAI caches automatically, so a whole prompt is cacheable.
 *  - Anthropic caches only up to the last `cache_control` breakpoint.
 * A new request reads from the cache the longest common prefix it shares
 * with any remembered prompt, capped by what that prompt cached and (for
 * Anthropic) by the new request's own last breakpoint. For Anthropic, the
 * part up to the breakpoint that was not read counts as cache creation.
 * Characters convert to tokens at 4 chars per token.
 */
import { tokensForChars, wholeTokensIn } from './tokens.js';
import type { PromptSegment, Provider } from './types.js';

const MAX_ENTRIES_PER_MODEL = 64;

interface CacheEntry {
  prompt: string;
  cachedChars: number;
}

export interface CacheUsage {
  /** Prompt tokens neither read from nor written to the cache. */
  uncachedInputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export class PromptCacheSim {
  private entries = new Map<string, CacheEntry[]>();

  reset(): void {
    this.entries.clear();
  }

  /** Computes usage for a prompt and remembers it for later requests. */
  account(provider: Provider, model: string, segments: PromptSegment[]): CacheUsage {
    const prompt = segments.map((s) => s.text).join('\n');
    const cacheableChars = provider === 'openai' ? prompt.length : breakpointEnd(segments);
    const key = `${provider}\u0000${model}`;
    const history = this.entries.get(key) ?? [];

    // Partial overlaps round down (a token straddling the boundary is not
    // cached); reading a whole earlier entry rounds up exactly as that entry
    // did when it was written, so what was created is what is later read.
    let cacheRead = 0;
    for (const entry of history) {
      const shared = Math.min(commonPrefixLength(prompt, entry.prompt), entry.cachedChars, cacheableChars);
      const tokens = shared === entry.cachedChars || shared === cacheableChars ? tokensForChars(shared) : wholeTokensIn(shared);
      cacheRead = Math.max(cacheRead, tokens);
    }

    history.push({ prompt, cachedChars: cacheableChars });
    if (history.length > MAX_ENTRIES_PER_MODEL) history.shift();
    this.entries.set(key, history);

    const total = tokensForChars(prompt.length);
    if (provider === 'openai') {
      // OpenAI reports no creation tokens: `cached_tokens` is a subset of prompt_tokens.
      return { uncachedInputTokens: total - cacheRead, cacheReadTokens: cacheRead, cacheCreationTokens: 0 };
    }
    const upToBreakpoint = tokensForChars(cacheableChars);
    return {
      uncachedInputTokens: total - upToBreakpoint,
      cacheReadTokens: cacheRead,
      cacheCreationTokens: upToBreakpoint - cacheRead,
    };
  }
}

/** Character offset (in the joined prompt) where the last breakpoint segment ends. */
function breakpointEnd(segments: PromptSegment[]): number {
  let offset = 0;
  let end = 0;
  segments.forEach((s, i) => {
    offset += s.text.length;
    if (s.breakpoint) end = offset;
    if (i < segments.length - 1) offset += 1; // the '\n' joiner
  });
  return end;
}
