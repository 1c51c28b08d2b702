/**
 * Notices an agent going in circles: the same tool call with the same arguments, or the same error,
 * again and again. At `warnAt` repeats the model is told to change strategy; at `stopAt` the loop
 * ends with a reason the user can read.
 */
export class LoopDetector {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly warnAt = 3,
    private readonly stopAt = 5,
  ) {}

  /** Records a call and its result; returns what to do about it. */
  observe(toolName: string, rawArguments: string, result: { isError: boolean; content: string }): 'ok' | 'warn' | 'stop' {
    const callKey = `call ${toolName} ${canonical(rawArguments)}`;
    const worst = Math.max(this.bump(callKey), result.isError ? this.bump(`error ${result.content}`) : 0);
    if (worst >= this.stopAt) return 'stop';
    if (worst >= this.warnAt) return 'warn';
    return 'ok';
  }

  private bump(key: string): number {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }
}

/** Same arguments in a different key order or spacing are the same call. */
function canonical(raw: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(raw) as unknown));
  } catch {
    return raw.trim();
  }
}

// Code-unit order, not localeCompare: only equality matters here, and the first localeCompare of a
// process builds an ICU collator (~20 ms on the first worker turn).
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export const loopWarning =
  'You have now made this same call (or hit this same error) several times. It will not work differently: change strategy, or finish and explain what is blocking you.';
