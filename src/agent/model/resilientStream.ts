import { classifyError } from './classifyError';
import { ModelError } from './modelErrors';
import type { ModelClient, ModelEvent, ModelRequest } from './modelTypes';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A retry-after longer than this is not waited out: the error surfaces instead. */
  readonly maxRetryAfterMs: number;
  /** Abort an attempt whose stream goes silent this long. */
  readonly idleTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30000,
  maxRetryAfterMs: 120000,
  idleTimeoutMs: 90000,
};

export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: ModelError;
}

export interface ResilienceHooks {
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Injected in tests to make jitter deterministic. */
  readonly random?: () => number;
}

/** Exponential backoff with full jitter, or exactly what the server asked for. */
export function retryDelay(attempt: number, error: ModelError, policy: RetryPolicy, random: () => number): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Streams a model call with retries. An attempt is retried when its error is retryable and nothing
 * has acted on its output yet: once a complete tool call has been handed on, a failure surfaces
 * instead, because repeating the call could repeat the action. Partial text is not an action; the
 * consumer is told to discard it with a `restart` event. Each attempt also has an idle timeout.
 */
export async function* resilientStream(
  client: ModelClient,
  request: ModelRequest,
  policy: RetryPolicy = defaultRetryPolicy,
  hooks: ResilienceHooks = {},
): AsyncIterable<ModelEvent> {
  const random = hooks.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    if (request.signal.aborted) throw new ModelError('cancelled', client.provider, 'The request was cancelled.');
    const attemptController = new AbortController();
    const forwardAbort = (): void => attemptController.abort();
    request.signal.addEventListener('abort', forwardAbort, { once: true });
    let idleFired = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        idleFired = true;
        attemptController.abort();
      }, policy.idleTimeoutMs);
    };
    let actedOn = false;
    let streamedAnything = false;
    try {
      armIdle();
      for await (const event of client.stream({ ...request, signal: attemptController.signal })) {
        armIdle();
        streamedAnything = true;
        if (event.type === 'tool_call') actedOn = true;
        yield event;
      }
      return;
    } catch (raw) {
      let error = classifyError(client.provider, raw, request.signal);
      if (idleFired && !request.signal.aborted) {
        error = new ModelError('timeout', client.provider, `The response stream went silent for ${Math.round(policy.idleTimeoutMs / 1000)} s.`);
      }
      const delay = retryDelay(attempt, error, policy, random);
      const canRetry = error.retryable && !actedOn && attempt < policy.maxRetries && delay <= policy.maxRetryAfterMs;
      if (!canRetry) throw error;
      hooks.onRetry?.({ attempt: attempt + 1, delayMs: delay, error });
      if (streamedAnything) yield { type: 'restart', attempt: attempt + 1, reason: error.message };
      try {
        await sleep(delay, request.signal);
      } catch {
        throw new ModelError('cancelled', client.provider, 'The request was cancelled.');
      }
    } finally {
      clearTimeout(idleTimer);
      request.signal.removeEventListener('abort', forwardAbort);
    }
  }
}
