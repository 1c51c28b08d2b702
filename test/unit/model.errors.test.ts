import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer, FaultInput } from '../fake-model/index.js';
import { describeModelError, type ModelErrorKind } from '../../src/agent/model/modelErrors';
import type { RetryNotice } from '../../src/agent/model/resilientStream';
import { runTurn } from '../../src/agent/model/turn';
import {
  anthropicFor,
  clientFor,
  FAKE_KEY,
  failure,
  fastPolicy,
  modelRequests,
  openaiFor,
  request,
  scenario,
  startServer,
  waitFor,
  WIRES,
  type Wire,
} from './support/modelHarness';

interface Case {
  readonly name: string;
  readonly fault: Record<Wire, FaultInput>;
  readonly kind: ModelErrorKind;
  /** What the user-facing text must tell them to do. */
  readonly advice: RegExp;
}

// Each server message echoes the key, as some servers do, to prove it is masked before anyone sees it.
const echo = `(key ${FAKE_KEY})`;
const cases: readonly Case[] = [
  {
    name: 'exhausted quota (OpenAI 429 insufficient_quota, Anthropic 402 billing)',
    fault: { openai: { type: 'insufficient_quota', message: `You exceeded your current quota ${echo}` }, anthropic: { type: 'insufficient_quota', message: `Your credit balance is too low ${echo}` } },
    kind: 'quota_exhausted',
    advice: /add credit or raise the limit/,
  },
  {
    name: 'invalid API key (401)',
    fault: { openai: { type: 'invalid_api_key', message: `Incorrect API key provided: ${FAKE_KEY}` }, anthropic: { type: 'invalid_api_key', message: `invalid x-api-key ${echo}` } },
    kind: 'auth',
    advice: /Check the API key/,
  },
  {
    name: 'invalid request (400)',
    fault: { openai: { type: 'bad_request', message: `Unsupported parameter ${echo}` }, anthropic: { type: 'bad_request', message: `Unsupported parameter ${echo}` } },
    kind: 'invalid_request',
    advice: /check the model name, base URL/,
  },
  {
    name: 'context too long',
    fault: {
      openai: { type: 'bad_request', code: 'context_length_exceeded', message: `This model's maximum context length is 8192 tokens ${echo}` },
      anthropic: { type: 'bad_request', message: `prompt is too long: 210000 tokens > 200000 maximum ${echo}` },
    },
    kind: 'context_too_long',
    advice: /larger context or narrow the task/,
  },
];

const providerName: Record<Wire, RegExp> = { openai: /^OpenAI/, anthropic: /^Anthropic:/ };

for (const wire of WIRES) {
  describe(`errors that are not retried (${wire})`, () => {
    let server: FakeModelServer;
    let notices: RetryNotice[];
    const turn = (signal?: AbortSignal) =>
      runTurn(clientFor(wire, server), request(signal === undefined ? {} : { signal }), {
        policy: { ...fastPolicy, maxRetryAfterMs: 10_000 },
        hooks: { onRetry: (n) => notices.push(n) },
      });

    before(async () => {
      server = await startServer(scenario(['Never seen.']));
    });
    after(() => server.close());
    beforeEach(() => {
      server.reset();
      notices = [];
    });

    for (const c of cases) {
      test(`${c.name}: one request, a clear message, no key`, async () => {
        server.injectFault(c.fault[wire], { count: 5 });
        const error = await failure(turn());
        assert.equal(error.kind, c.kind);
        assert.equal(error.retryable, false);
        assert.equal(modelRequests(server).length, 1);
        assert.deepEqual(notices, []);
        const text = describeModelError(error);
        assert.match(text, providerName[wire]);
        assert.match(text, c.advice);
        for (const shown of [text, error.message, String(error)]) {
          assert.ok(!shown.includes(FAKE_KEY), `the key leaked: ${shown}`);
          assert.ok(!shown.includes('QX7v93'), `part of the key leaked: ${shown}`);
        }
      });
    }

    test('a key without a recognisable prefix, echoed by the server, is masked too', async () => {
      const key = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
      const client = wire === 'openai' ? openaiFor(server, { apiKey: key }) : anthropicFor(server, { apiKey: key });
      server.injectFault({ type: 'invalid_api_key', message: `Access denied for key ${key}.` });
      const error = await failure(runTurn(client, request(), { policy: fastPolicy }));
      assert.equal(error.kind, 'auth');
      for (const shown of [describeModelError(error), String(error)]) assert.ok(!shown.includes(key), `the key leaked: ${shown}`);
    });

    test('cancel during a stall aborts the HTTP request at once, without a retry', async () => {
      server.injectFault({ type: 'stall', afterChunks: 1 }, { count: 5 });
      const controller = new AbortController();
      const pending = turn(controller.signal);
      await waitFor(() => server.requests().some((r) => r.firstByteAt !== null));
      const start = performance.now();
      controller.abort();
      const error = await failure(pending);
      const took = performance.now() - start;
      assert.equal(error.kind, 'cancelled');
      // Without the abort reaching the socket this would wait for the 5 s idle timeout (the stall is endless).
      assert.ok(took < 3000, `cancel took ${took} ms`);
      await server.whenIdle();
      const requests = modelRequests(server);
      assert.equal(requests.length, 1);
      assert.equal(requests[0]?.aborted, true, 'the server saw the client close the request');
      assert.deepEqual(notices, []);
      assert.match(describeModelError(error), /cancelled/);
    });

    test('cancel while waiting to retry ends the wait, with no further request', async () => {
      server.injectFault({ type: 'rate_limit', retryAfterMs: 8000 });
      const controller = new AbortController();
      const pending = turn(controller.signal);
      await waitFor(() => notices.length === 1);
      const start = performance.now();
      controller.abort();
      const error = await failure(pending);
      assert.equal(error.kind, 'cancelled');
      assert.ok(performance.now() - start < 3000, 'the 8 s wait was not sat out');
      assert.equal(modelRequests(server).length, 1);
    });

    test('an already-aborted signal sends nothing', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await failure(turn(controller.signal));
      assert.equal(error.kind, 'cancelled');
      assert.equal(modelRequests(server).length, 0);
    });
  });
}
