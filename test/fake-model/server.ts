/**
 * The fake model HTTP server: routing, lifecycle and the programmatic API.
 * Only Node built-ins (plus zod for validation) so it starts in
 * milliseconds and behaves the same in tests, benchmarks and the demo.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { PromptCacheSim } from './cacheSim.js';
import { handleControl, type ControlTarget } from './control.js';
import { Exchange, sendJsonNow } from './emitter.js';
import { FaultQueue, FaultSchema, type FaultInput } from './faults.js';
import { handleModelRequest } from './modelRoute.js';
import { FAKE_CREATED } from './openaiWire.js';
import { formatLogLine, Recorder, type RecordedRequest } from './recorder.js';
import { loadScenarioFile, parseScenario, ScenarioError, type Scenario, type ScenarioInput } from './scenario.js';
import { TurnSelector } from './selector.js';

export interface StartOptions {
  /** A scenario object, or the path of a scenario JSON file. Defaults to a one-line greeting. */
  scenario?: ScenarioInput | string | undefined;
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  host?: string | undefined;
  /** Called with one line per completed request (the CLI prints these). */
  log?: ((line: string, request: RecordedRequest) => void) | undefined;
}

export interface FakeModelServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  port: number;
  /** For `new OpenAI({ baseURL })`: `${url}/v1`. */
  openaiBaseUrl: string;
  /** For `new Anthropic({ baseURL })`: `${url}` (the SDK adds `/v1`). */
  anthropicBaseUrl: string;
  /** Snapshot of every recorded request so far, oldest first. */
  requests(): RecordedRequest[];
  /** Forgets requests, turn counters, prompt cache and injected faults. */
  reset(): void;
  /** Replaces the scenario (object or file path) and restarts turn counters. Throws ScenarioError. */
  setScenario(scenario: ScenarioInput | string): void;
  /** Applies `fault` to the next `count` (default 1) model requests, optionally of one role only. */
  injectFault(fault: FaultInput, options?: { count?: number | undefined; role?: string | undefined }): void;
  /** Resolves once no model request is in flight (e.g. after a client abort). */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_SCENARIO: ScenarioInput = { name: 'default', roles: { default: { turns: ['Hello from the fake model.'] } } };

function toScenario(value: unknown, source: string): Scenario {
  return typeof value === 'string' ? loadScenarioFile(value) : parseScenario(value, source);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Recorded verbatim; the wire parser then rejects it with a 400.
  }
}

function modelsBody(scenario: Scenario): unknown {
  // One object that satisfies both SDKs' model list shapes.
  const data = scenario.models.map((id) => ({
    id,
    object: 'model',
    created: FAKE_CREATED,
    owned_by: 'fake-model',
    type: 'model',
    display_name: id,
    created_at: new Date(FAKE_CREATED * 1000).toISOString(),
  }));
  return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

export async function startFakeModelServer(options: StartOptions = {}): Promise<FakeModelServer> {
  const selector = new TurnSelector(toScenario(options.scenario ?? DEFAULT_SCENARIO, 'startFakeModelServer'));
  const faults = new FaultQueue();
  const cache = new PromptCacheSim();
  const recorder = new Recorder();
  const shutdown = new AbortController();
  let inflight = 0;
  let idleWaiters: Array<() => void> = [];

  const onDone = (record: RecordedRequest): void => {
    inflight -= 1;
    if (inflight === 0) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
    options.log?.(formatLogLine(record), record);
  };

  const control: ControlTarget = {
    requests: () => recorder.list(),
    reset: () => {
      recorder.clear();
      selector.reset();
      cache.reset();
      faults.clear();
    },
    setScenario: (value, source) => {
      selector.setScenario(toScenario(value, source));
      faults.clear();
    },
    injectFault: (fault, count, role) => faults.push(fault, count, role),
    state: () => ({
      scenario: selector.current.name,
      turns: selector.turnCounts(),
      pendingFaults: faults.pending(),
      inflight,
      requests: recorder.count(),
    }),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    let bodyText: string;
    try {
      bodyText = await readBody(req);
    } catch {
      // The client went away mid-upload: nothing to answer, nothing to record.
      res.destroy();
      return;
    }
    if (url.pathname.startsWith('/_fake/')) {
      handleControl(`${method} ${url.pathname}`, bodyText, res, control);
      return;
    }

    const record = recorder.start(method, `${url.pathname}${url.search}`, req.headers, parseBody(bodyText));
    inflight += 1;
    const ex = new Exchange(res, record, shutdown.signal, onDone);
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    const state = { selector, faults, cache };
    if (method === 'POST' && path === '/chat/completions') await handleModelRequest('openai', ex, record, state);
    else if (method === 'POST' && path === '/messages') await handleModelRequest('anthropic', ex, record, state);
    else if (method === 'POST' && path === '/messages/count_tokens') sendJsonNow(ex, 200, {}, { input_tokens: Math.ceil(bodyText.length / 4) });
    else if (method === 'GET' && path === '/models') sendJsonNow(ex, 200, {}, modelsBody(selector.current));
    else {
      const message = `fake-model: no route for ${method} ${url.pathname}`;
      sendJsonNow(ex, 404, {}, { type: 'error', error: { type: 'not_found_error', message } });
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // A bug in the fake must be loud, but must not take the test process down.
      console.error('[fake-model] internal error:', err);
      if (!res.headersSent) sendPlain500(res, err);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    port,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests: () => recorder.list(),
    reset: () => control.reset(),
    setScenario: (scenario) => control.setScenario(scenario, 'setScenario'),
    injectFault: (fault, opts = {}) => {
      const parsed = FaultSchema.safeParse(fault);
      if (!parsed.success) throw new ScenarioError(`fake-model: invalid fault:\n${z.prettifyError(parsed.error)}`);
      faults.push(parsed.data, opts.count ?? 1, opts.role ?? null);
    },
    whenIdle: () => (inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        // Stalled streams and keep-alive sockets would otherwise hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

function sendPlain500(res: ServerResponse, err: unknown): void {
  const text = JSON.stringify({ error: { message: `fake-model internal error: ${String(err)}`, type: 'server_error' } });
  res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
