/**
 * Token arithmetic. A real tokenizer would make results depend on model and
 * library versions; the fake uses a fixed "4 characters per token" rule so
 * every count is deterministic and easy to predict in tests.
 */

export const CHARS_PER_TOKEN = 4;

/** Tokens needed to hold `chars` characters (rounded up: 1 char is 1 token). */
export function tokensForChars(chars: number): number {
  return Math.ceil(Math.max(0, chars) / CHARS_PER_TOKEN);
}

/** Whole tokens fully contained in `chars` characters (rounded down). */
export function wholeTokensIn(chars: number): number {
  return Math.floor(Math.max(0, chars) / CHARS_PER_TOKEN);
}

/**
 * Splits `text` into pieces of at most `size` characters. Splitting by code
 * point (not UTF-16 unit) keeps surrogate pairs intact, so an emoji is never
 * broken across two SSE chunks.
 */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const step = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += step) out.push(chars.slice(i, i + step).join(''));
  return out;
}
