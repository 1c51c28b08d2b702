/**
 * Writes responses onto the socket: JSON bodies, paced SSE streams, and the
 * transport-level faults (cut, stall, in-band error, reset). Also notices
 * when the client goes away, so stalls end and the recorder can say so.
 */
import type { ServerResponse } from 'node:http';
import type { StreamFault } from './faults.js';
import { now, type RecordedRequest } from './recorder.js';
import type { SseFrame } from './types.js';

/** One request/response pair and its lifetime. */
export class Exchange {
  private readonly controller = new AbortController();
  private closedByServer = false;

  constructor(
    readonly res: ServerResponse,
    private readonly record: RecordedRequest,
    serverSignal: AbortSignal,
    onDone: (record: RecordedRequest) => void,
  ) {
    res.on('finish', () => {
      record.completedAt ??= now();
    });
    res.on('close', () => {
      if (!res.writableFinished && !this.closedByServer) record.aborted = true;
      record.completedAt ??= now();
      this.controller.abort();
      onDone(record);
    });
    // Shutting the server down is not the client aborting.
    const onShutdown = (): void => {
      this.closedByServer = true;
    };
    serverSignal.addEventListener('abort', onShutdown, { once: true });
    res.on('close', () => serverSignal.removeEventListener('abort', onShutdown));
  }

  /** Aborted once the connection is gone (client abort, fault, or shutdown). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  writeHead(status: number, headers: Record<string, string>): void {
    this.record.status = status;
    this.res.writeHead(status, headers);
    // Push the status line out now: clients measure time-to-headers.
    this.res.flushHeaders();
    this.record.firstByteAt ??= now();
  }

  write(text: string): void {
    if (!this.res.destroyed) this.res.write(text);
  }

  end(text?: string): void {
    if (!this.res.destroyed) this.res.end(text);
  }

  /** Drops the connection: a TCP RST when `reset`, else an abrupt close mid-body. */
  destroy(reset: boolean): void {
    this.closedByServer = true;
    const socket = this.res.socket;
    if (reset && socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else this.res.destroy();
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. Infinity waits for the abort. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(() => done(true), Math.min(ms, 2 ** 31 - 1)) : undefined;
    const onAbort = (): void => done(false);
    function done(ok: boolean): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function sendJsonNow(ex: Exchange, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  ex.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  ex.end(text);
}

export interface JsonOptions {
  delayMs: number;
  fault: StreamFault | null;
}

/** A complete JSON response after `delayMs`; cut and stall faults act on the body. */
export async function sendJson(ex: Exchange, headers: Record<string, string>, body: unknown, opts: JsonOptions): Promise<void> {
  if (!(await sleep(opts.delayMs, ex.signal))) return;
  const text = JSON.stringify(body);
  const bytes = Buffer.from(text);
  ex.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length) });
  if (opts.fault?.type === 'stream_cut') {
    ex.res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    ex.destroy(false);
    return;
  }
  if (opts.fault?.type === 'stall' && !(await sleep(opts.fault.durationMs ?? Infinity, ex.signal))) return;
  ex.end(text);
}

export interface StreamOptions {
  ttftMs: number;
  tokensPerSecond: number | null;
  fault: StreamFault | null;
  /** The in-band error event sent by a `stream_error` fault. */
  errorFrame: SseFrame | null;
}

function formatFrame(f: SseFrame): string {
  return `${f.event !== undefined ? `event: ${f.event}\n` : ''}data: ${f.data}\n\n`;
}

/**
 * Streams `frames` as SSE. The first frame goes out after `ttftMs`; frame i
 * then follows when the tokens of frames before it would have been generated
 * at `tokensPerSecond`. A fault fires before frame `afterChunks` (or at the
 * end, if the stream is shorter).
 */
export async function sendStream(ex: Exchange, headers: Record<string, string>, frames: SseFrame[], opts: StreamOptions): Promise<void> {
  if (!(await sleep(opts.ttftMs, ex.signal))) return;
  ex.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const faultAt = opts.fault ? Math.min(opts.fault.afterChunks, frames.length) : -1;
  let anchorTime = now();
  let anchorTokens = 0;
  let tokens = 0;

  for (let i = 0; i <= frames.length; i++) {
    if (i === faultAt && opts.fault) {
      const f = opts.fault;
      if (f.type === 'stream_cut') {
        if (await sleep(f.graceMs, ex.signal)) ex.destroy(false);
        return;
      }
      if (f.type === 'stream_error') {
        ex.end(opts.errorFrame ? formatFrame(opts.errorFrame) : undefined);
        return;
      }
      if (!(await sleep(f.durationMs ?? Infinity, ex.signal))) return;
      // Resume pacing from here rather than bursting to "catch up".
      anchorTime = now();
      anchorTokens = tokens;
    }
    const frame = frames[i];
    if (frame === undefined) break;
    if (opts.tokensPerSecond !== null && i > 0) {
      const due = anchorTime + ((tokens - anchorTokens) / opts.tokensPerSecond) * 1000;
      const wait = due - now();
      // Sub-millisecond waits are noise for timers; send those frames together.
      if (wait >= 1 && !(await sleep(wait, ex.signal))) return;
    }
    ex.write(formatFrame(frame));
    tokens += frame.tokens;
  }
  ex.end();
}
