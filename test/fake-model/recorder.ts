/**
 * Keeps a log of every model-facing request with its timings, so tests can
 * assert on what the client actually sent (and when it gave up). Secrets are
 * redacted at record time: recorded requests end up in test output and logs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Provider } from './types.js';

export interface RecordedRequest {
  /** 1-based arrival order since start or the last reset. */
  seq: number;
  method: string;
  /** Path including any query string. */
  path: string;
  /** Lower-cased header names; credentials replaced by `***`. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text if it was not JSON; null if empty. */
  body: unknown;
  provider: Provider | null;
  role: string | null;
  turn: number | null;
  stream: boolean;
  /** Type of the fault applied to this request, if any. */
  fault: string | null;
  /** HTTP status sent, or null if the connection was dropped before a status. */
  status: number | null;
  /** Epoch milliseconds (sub-millisecond precision). */
  arrivedAt: number;
  firstByteAt: number | null;
  completedAt: number | null;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
}

/** High-resolution wall clock: epoch ms with sub-ms precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key']);

/** `Bearer sk-123` becomes `Bearer ***`, keeping the scheme for debugging. */
function redact(value: string): string {
  const m = /^(\S+)\s+\S/.exec(value);
  return m ? `${m[1]} ***` : '***';
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    out[name] = SECRET_HEADERS.has(name) ? redact(joined) : joined;
  }
  return out;
}

export class Recorder {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  /** Creates and stores the entry; the caller fills in the rest as it goes. */
  start(method: string, path: string, headers: IncomingHttpHeaders, body: unknown): RecordedRequest {
    const entry: RecordedRequest = {
      seq: ++this.seq,
      method,
      path,
      headers: redactHeaders(headers),
      body,
      provider: null,
      role: null,
      turn: null,
      stream: false,
      fault: null,
      status: null,
      arrivedAt: now(),
      firstByteAt: null,
      completedAt: null,
      aborted: false,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Copies, so callers cannot mutate the log (and get a stable snapshot). */
  list(): RecordedRequest[] {
    return structuredClone(this.entries);
  }

  count(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
    this.seq = 0;
  }
}

/** One line per request, for the standalone server's console. */
export function formatLogLine(r: RecordedRequest): string {
  const time = new Date(r.arrivedAt).toISOString().slice(11, 23);
  const took = r.completedAt === null ? '?' : `${Math.round(r.completedAt - r.arrivedAt)}ms`;
  const parts = [
    time,
    `#${r.seq}`,
    r.method,
    r.path,
    r.provider ?? '-',
    `role=${r.role ?? '-'}`,
    `turn=${r.turn ?? '-'}`,
    r.stream ? 'stream' : 'json',
    `status=${r.status ?? '-'}`,
    `fault=${r.fault ?? '-'}`,
    took,
  ];
  if (r.aborted) parts.push('ABORTED');
  return parts.join(' ');
}
