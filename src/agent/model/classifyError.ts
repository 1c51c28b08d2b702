import { ModelError, redactSecrets, retryAfterFromHeaders, type ModelErrorKind } from './modelErrors';
import type { ProviderId } from './modelTypes';

/**
 * Turns whatever an SDK threw into a `ModelError`. Both SDKs (and their errors) share a shape:
 * `status`, `headers` and the parsed error body; connection problems and user aborts have their own
 * classes, recognised here by name so this module does not depend on either SDK.
 */

interface HttpErrorLike {
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly error?: unknown;
  readonly message?: unknown;
  readonly name?: unknown;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The provider's error type and code from the body: OpenAI `{error:{type,code,message}}`, Anthropic `{type:'error',error:{type,message}}`. */
function bodyDetails(body: unknown): { type: string; code: string; message: string } {
  const inner = field(body, 'error') ?? body;
  return {
    type: text(field(inner, 'type')) || text(field(body, 'type')),
    code: text(field(inner, 'code')),
    message: text(field(inner, 'message')),
  };
}

function kindFor(status: number, details: { type: string; code: string; message: string }): ModelErrorKind {
  const all = `${details.type} ${details.code} ${details.message}`.toLowerCase();
  if (/insufficient_quota|billing|credit balance|spend(ing)? (cap|limit)|quota exceeded|exceeded your current quota/.test(all)) {
    return 'quota_exhausted';
  }
  if (/context_length_exceeded|prompt is too long|maximum context length|too many tokens/.test(all)) return 'context_too_long';
  if (status === 529 || /overloaded/.test(all)) return 'overloaded';
  if (status === 401 || status === 403 || /authentication|invalid_api_key|permission/.test(all)) return 'auth';
  if (status === 402) return 'quota_exhausted';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'server_error';
  return 'invalid_request';
}

/**
 * The operating system's code (`ECONNREFUSED`, `ENOTFOUND`) behind a failed connection. The SDKs wrap
 * fetch's `TypeError('fetch failed')`, which wraps the socket error (sometimes an AggregateError of
 * one per address tried): follow `cause` and `errors` a few levels down.
 */
function systemCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const code = field(error, 'code');
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const nested = field(error, 'errors');
  for (const inner of Array.isArray(nested) ? nested : []) {
    const found = systemCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return systemCode(field(error, 'cause'), depth + 1);
}

/** `secrets` (the API key in use) are masked wherever they appear in the error text. */
export function classifyError(provider: ProviderId, error: unknown, signal?: AbortSignal, secrets: readonly string[] = []): ModelError {
  if (error instanceof ModelError) return error;
  if (signal?.aborted === true) return new ModelError('cancelled', provider, 'The request was cancelled.');
  const like: HttpErrorLike = typeof error === 'object' && error !== null ? error : {};
  const name = text(like.name);
  const message = redactSecrets(text(like.message) || String(error), secrets);
  if (name === 'APIUserAbortError' || name === 'AbortError') return new ModelError('cancelled', provider, 'The request was cancelled.');
  if (name === 'APIConnectionTimeoutError') return new ModelError('timeout', provider, 'The request timed out.');
  if (name === 'APIConnectionError') {
    const code = systemCode(error);
    return new ModelError('connection', provider, `Could not connect${code !== undefined ? ` (${code})` : ''}: ${message}`, undefined, undefined, code);
  }
  if (typeof like.status === 'number') {
    const details = bodyDetails(like.error);
    const kind = kindFor(like.status, details);
    const headers = like.headers instanceof Headers ? like.headers : undefined;
    const said = redactSecrets(details.message || message, secrets);
    return new ModelError(kind, provider, `HTTP ${like.status}: ${said}`, like.status, retryAfterFromHeaders(headers));
  }
  // Errors thrown while reading a stream body (socket closed, premature end) carry no status.
  if (/terminated|socket|ECONNRESET|premature|aborted|network|fetch failed|other side closed/i.test(message)) {
    return new ModelError('stream_cut', provider, `The response stream was cut: ${message}`);
  }
  return new ModelError('server_error', provider, message);
}
