import { describeModelError, ModelError } from './modelErrors';
import type { ModelClient } from './modelTypes';
import { runTurn } from './turn';

export interface PingResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly outputTokens: number;
  readonly error?: string;
}

/**
 * A one-token call that proves a key, base URL and model work together. One retry at most: a ping
 * should answer quickly, and a persistent failure is what the user needs to see.
 */
export async function pingModel(client: ModelClient, signal: AbortSignal): Promise<PingResult> {
  const started = performance.now();
  try {
    const turn = await runTurn(
      client,
      {
        system: 'Connectivity check.',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Reply with: ok' }] }],
        tools: [],
        maxOutputTokens: 1,
        signal,
      },
      { policy: { maxRetries: 1, baseDelayMs: 500, maxDelayMs: 2000, maxRetryAfterMs: 5000, idleTimeoutMs: 30000 } },
    );
    return { ok: true, latencyMs: performance.now() - started, outputTokens: turn.usage.outputTokens };
  } catch (error) {
    const message = error instanceof ModelError ? describeModelError(error) : error instanceof Error ? error.message : String(error);
    return { ok: false, latencyMs: performance.now() - started, outputTokens: 0, error: message };
  }
}
