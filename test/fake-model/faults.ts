/**
 * Fault catalogue: the zod schema for faults (shared by scenario files and
 * the control API), the provider-shaped error bodies they produce, and the
 * queue of faults injected at runtime for the next N requests.
 */
import * as z from 'zod';
import type { Provider, SseFrame } from './types.js';

export const HTTP_FAULT_TYPES = [
  'rate_limit',
  'server_error',
  'overloaded',
  'insufficient_quota',
  'invalid_api_key',
  'bad_request',
  'http',
] as const;
export type HttpFaultType = (typeof HTTP_FAULT_TYPES)[number];

const nonNegInt = z.number().int().min(0);

const HttpFaultSchema = z
  .object({
    type: z.enum(HTTP_FAULT_TYPES),
    /** Overrides the default status for the fault type (required for `http`). */
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    /** OpenAI `error.type` / Anthropic `error.type` override. */
    errorType: z.string().optional(),
    /** OpenAI `error.code` override. */
    code: z.string().nullable().optional(),
    retryAfterSeconds: z.number().min(0).optional(),
    retryAfterMs: z.number().min(0).optional(),
  })
  .strict()
  .refine((f) => f.type !== 'http' || f.status !== undefined, {
    message: 'a fault of type "http" needs a "status"',
  });

export const FaultSchema = z.discriminatedUnion('type', [
  HttpFaultSchema,
  z.object({ type: z.literal('connection_reset') }).strict(),
  z
    .object({
      type: z.literal('stream_cut'),
      afterChunks: nonNegInt.default(2),
      /**
       * Pause before dropping the socket. Without it the client would see the
       * error before it had read the chunks sent just before (an errored
       * fetch body discards what it had queued).
       */
      graceMs: nonNegInt.default(50),
    })
    .strict(),
  z
    .object({
      type: z.literal('stall'),
      afterChunks: nonNegInt.default(1),
      /** Omit to stall until the client aborts (or the server closes). */
      durationMs: nonNegInt.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('stream_error'),
      afterChunks: nonNegInt.default(2),
      kind: z.enum(HTTP_FAULT_TYPES).default('overloaded'),
      message: z.string().optional(),
    })
    .strict(),
  z.object({ type: z.literal('malformed_arguments'), raw: z.string().optional() }).strict(),
  z.object({ type: z.literal('truncate'), atChars: nonNegInt.optional() }).strict(),
]);

export type Fault = z.output<typeof FaultSchema>;
export type FaultInput = z.input<typeof FaultSchema>;
export type HttpFault = Extract<Fault, { type: HttpFaultType }>;
/** Faults that need a planned response to act on (the rest replace it). */
export type ResponseFault = Exclude<Fault, HttpFault | { type: 'connection_reset' }>;
export type StreamFault = Extract<Fault, { type: 'stream_cut' | 'stall' | 'stream_error' }>;

export function isHttpFault(f: Fault): f is HttpFault {
  return (HTTP_FAULT_TYPES as readonly string[]).includes(f.type);
}

export function isStreamFault(f: Fault | null): f is StreamFault {
  return f !== null && (f.type === 'stream_cut' || f.type === 'stall' || f.type === 'stream_error');
}

interface ErrorDefaults {
  openai: { status: number; type: string; code: string | null; message: string };
  anthropic: { status: number; type: string; message: string };
}

// Status codes and error types mirror what the real services send, so client
// retry/backoff logic is exercised exactly as in production.
const DEFAULTS: Record<Exclude<HttpFaultType, 'http'>, ErrorDefaults> = {
  rate_limit: {
    openai: { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached (fake-model).' },
    anthropic: { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit (fake-model).' },
  },
  server_error: {
    openai: { status: 500, type: 'server_error', code: null, message: 'The server had an error while processing your request (fake-model).' },
    anthropic: { status: 500, type: 'api_error', message: 'Internal server error (fake-model).' },
  },
  overloaded: {
    openai: { status: 503, type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later (fake-model).' },
    anthropic: { status: 529, type: 'overloaded_error', message: 'Overloaded (fake-model).' },
  },
  insufficient_quota: {
    openai: {
      status: 429,
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details (fake-model).',
    },
    anthropic: { status: 402, type: 'billing_error', message: 'Your credit balance is too low to access the API (fake-model).' },
  },
  invalid_api_key: {
    openai: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided (fake-model).' },
    anthropic: { status: 401, type: 'authentication_error', message: 'invalid x-api-key (fake-model)' },
  },
  bad_request: {
    openai: { status: 400, type: 'invalid_request_error', code: null, message: 'Invalid request (fake-model).' },
    anthropic: { status: 400, type: 'invalid_request_error', message: 'Invalid request (fake-model).' },
  },
};

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The fields of an HTTP fault that decide the error body. */
interface ErrorSpec {
  type: HttpFaultType;
  status?: number | undefined;
  message?: string | undefined;
  errorType?: string | undefined;
  code?: string | null | undefined;
}

/** The provider-shaped error body (no headers) for an HTTP-style fault. */
function errorBody(provider: Provider, f: ErrorSpec, requestId: string): { status: number; body: unknown } {
  if (f.type === 'http') {
    const status = f.status ?? 500;
    const message = f.message ?? `HTTP ${status} (fake-model).`;
    if (provider === 'openai') {
      return { status, body: { error: { message, type: f.errorType ?? 'api_error', param: null, code: f.code ?? null } } };
    }
    const type = f.errorType ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { status, body: { type: 'error', error: { type, message }, request_id: requestId } };
  }
  const d = DEFAULTS[f.type];
  if (provider === 'openai') {
    const o = d.openai;
    const error = { message: f.message ?? o.message, type: f.errorType ?? o.type, param: null, code: f.code === undefined ? o.code : f.code };
    return { status: f.status ?? o.status, body: { error } };
  }
  const a = d.anthropic;
  const error = { type: f.errorType ?? a.type, message: f.message ?? a.message };
  return { status: f.status ?? a.status, body: { type: 'error', error, request_id: requestId } };
}

/** Full error response including the retry hints the SDKs honour. */
export function errorResponse(provider: Provider, f: HttpFault, requestId: string): ErrorResponse {
  const { status, body } = errorBody(provider, f, requestId);
  const headers: Record<string, string> = {};
  let { retryAfterSeconds, retryAfterMs } = f;
  // A rate limit without explicit hints still gets both headers, because real
  // 429s carry them and client backoff code should be tested against them.
  if (f.type === 'rate_limit' && retryAfterSeconds === undefined && retryAfterMs === undefined) {
    retryAfterSeconds = 1;
    retryAfterMs = 1000;
  }
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  if (retryAfterMs !== undefined) headers['retry-after-ms'] = String(retryAfterMs);
  return { status, headers, body };
}

/** A plain 400 in the provider's shape, for problems with the request or scenario. */
export function invalidRequest(provider: Provider, message: string, requestId: string): ErrorResponse {
  const res = errorResponse(provider, { type: 'bad_request', message }, requestId);
  // Tell SDKs not to retry: the same request would fail the same way.
  res.headers['x-should-retry'] = 'false';
  return res;
}

/** The in-band error event some providers send mid-stream (e.g. Anthropic overloads). */
export function streamErrorFrame(provider: Provider, f: Extract<Fault, { type: 'stream_error' }>, requestId: string): SseFrame {
  const { body } = errorBody(provider, { type: f.kind, message: f.message }, requestId);
  if (provider === 'openai') return { data: JSON.stringify(body), tokens: 0 };
  return { event: 'error', data: JSON.stringify(body), tokens: 0 };
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  role: string | null;
}

/**
 * Faults injected through the control API. They apply to the next `count`
 * model requests (optionally only those of one role) and take precedence
 * over any fault written in the scenario.
 */
export class FaultQueue {
  private entries: QueuedFault[] = [];

  push(fault: Fault, count = 1, role: string | null = null): void {
    if (count > 0) this.entries.push({ fault, remaining: count, role });
  }

  /** Consumes one use of the first queued fault that applies to `role`. */
  take(role: string | null): Fault | null {
    const entry = this.entries.find((e) => e.role === null || e.role === role);
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.fault;
  }

  pending(): number {
    return this.entries.reduce((n, e) => n + e.remaining, 0);
  }

  clear(): void {
    this.entries = [];
  }
}
