import type { ProviderId } from './modelTypes';

/**
 * Why a model call failed, in terms that decide what happens next. Only the first group is retried;
 * the rest stop the call with a message that names the provider and what the user should do.
 */
export type ModelErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'connection'
  | 'timeout'
  | 'stream_cut'
  | 'quota_exhausted'
  | 'auth'
  | 'invalid_request'
  | 'context_too_long'
  | 'not_found'
  | 'cancelled';

const retryableKinds: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'connection',
  'timeout',
  'stream_cut',
]);

const providerNames: Record<ProviderId, string> = {
  openai: 'OpenAI (or the OpenAI-compatible server)',
  anthropic: 'Anthropic',
  'vscode-lm': "VS Code's language model",
};

export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly kind: ModelErrorKind,
    readonly provider: ProviderId,
    message: string,
    readonly status?: number,
    /** Server-requested wait before retrying, from retry-after / retry-after-ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return retryableKinds.has(this.kind);
  }
}

function advice(kind: ModelErrorKind): string {
  switch (kind) {
    case 'quota_exhausted':
      return 'Your quota or spending limit is used up: add credit or raise the limit in the provider console, or choose another model.';
    case 'auth':
      return 'Check the API key ("Plumbline: Set API Key…", or the environment variable for the CLI).';
    case 'invalid_request':
      return 'The request was refused as invalid; check the model name, base URL and max output tokens in the Plumbline settings.';
    case 'context_too_long':
      return 'The conversation is longer than the model accepts; choose a model with a larger context or narrow the task.';
    case 'not_found':
      return 'The model or endpoint was not found; check the model name and base URL.';
    case 'rate_limited':
      return 'The provider is rate-limiting requests; Plumbline retried and gave up. Wait a minute or lower the parallel worker setting.';
    case 'overloaded':
    case 'server_error':
      return 'The provider is having trouble; Plumbline retried and gave up. Try again shortly.';
    case 'connection':
    case 'timeout':
    case 'stream_cut':
      return 'Check the network connection and the base URL; Plumbline retried and gave up.';
    case 'cancelled':
      return '';
  }
}

/** The message a user reads: provider, what happened, what to do. Never includes request contents or keys. */
export function describeModelError(error: ModelError): string {
  const what = error.kind === 'cancelled' ? 'The request was cancelled.' : error.message;
  const next = advice(error.kind);
  return `${providerNames[error.provider]}: ${what}${next ? ` ${next}` : ''}`;
}

/** Parses retry-after-ms, then retry-after as seconds or an HTTP date. */
export function retryAfterFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Secrets must not leak through error text echoed by a server: mask the known keys exactly (they
 * need not look like keys: Azure's are bare hex), then anything that looks like a key.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  const exact = secrets.filter((secret) => secret.length >= 8).reduce((out, secret) => out.split(secret).join('***'), text);
  return exact.replace(/\b(sk|pk|rk|key|sess)-[A-Za-z0-9_-]{8,}/g, '$1-***').replace(/Bearer\s+[A-Za-z0-9._-]+/g, 'Bearer ***');
}
