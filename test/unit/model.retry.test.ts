import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import { describeModelError, ModelError, retryAfterFromHeaders } from '../../src/agent/model/modelErrors';
import type { ModelEvent } from '../../src/agent/model/modelTypes';
import { retryDelay, type RetryNotice, type RetryPolicy } from '../../src/agent/model/resilientStream';
import { runTurn } from '../../src/agent/model/turn';
import { anthropicFor, clientFor, failure, fastPolicy, modelRequests, openaiFor, request, scenario, startServer, WIRES, type Wire } from './support/modelHarness';

const ANSWER = 'The final answer, streamed in several chunks of text.';
const providerName: Record<Wire, RegExp> = { openai: /^OpenAI/, anthropic: /^Anthropic/ };

describe('retry timing helpers', () => {
  const policy: RetryPolicy = { ...fastPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
  const error = new ModelError('server_error', 'openai', 'HTTP 500');

  test('full jitter between half and all of the exponential ceiling, capped, deterministic', () => {
    assert.equal(retryDelay(0, error, policy, () => 0), 50);
    assert.equal(retryDelay(0, error, policy, () => 1), 100);
    assert.equal(retryDelay(2, error, policy, () => 0.5), 300);
    assert.equal(retryDelay(10, error, policy, () => 1), 1000);
  });

  test('a server-requested wait replaces the backoff', () => {
    const limited = new ModelError('rate_limited', 'openai', 'HTTP 429', 429, 1234);
    assert.equal(retryDelay(3, limited, policy, () => 0), 1234);
  });

  test('retry-after-ms wins over retry-after; seconds and HTTP dates are parsed', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '7' }), now), 250);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '7' }), now), 7000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '0.5' }), now), 500);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now), 30_000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now), 0);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), now), 2000);
    assert.equal(retryAfterFromHeaders(new Headers(), now), undefined);
    assert.equal(retryAfterFromHeaders(undefined, now), undefined);
  });
});

for (const wire of WIRES) {
  describe(`retries through the real ${wire} SDK`, () => {
    let server: FakeModelServer;
    let notices: RetryNotice[];
    let events: ModelEvent[];
    const turn = (policy: RetryPolicy = fastPolicy) =>
      runTurn(clientFor(wire, server), request(), {
        policy,
        hooks: { onRetry: (n) => notices.push(n), random: () => 0.5 },
        onEvent: (e) => events.push(e),
      });
    const gapMs = (): number => {
      const [first, second] = modelRequests(server);
      assert.ok(first !== undefined && second !== undefined, 'expected two requests');
      return second.arrivedAt - first.arrivedAt;
    };

    before(async () => {
      server = await startServer();
    });
    after(() => server.close());
    beforeEach(() => {
      server.reset();
      server.setScenario({ ...scenario([ANSWER]), chunkChars: 8 });
      notices = [];
      events = [];
    });

    test('429 with retry-after-ms: waits what the server asked, then succeeds', async () => {
      server.injectFault({ type: 'rate_limit', retryAfterMs: 300 });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.deepEqual(notices.map((n) => [n.attempt, n.delayMs, n.error.kind, n.error.status]), [[1, 300, 'rate_limited', 429]]);
      const gap = gapMs();
      assert.ok(gap >= 280 && gap < 3000, `retried after ${gap} ms`);
    });

    test('429 with retry-after in seconds', async () => {
      server.injectFault({ type: 'rate_limit', retryAfterSeconds: 1 });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.equal(notices[0]?.delayMs, 1000);
      const gap = gapMs();
      assert.ok(gap >= 950 && gap < 4000, `retried after ${gap} ms`);
    });

    test('a retry-after beyond maxRetryAfterMs is not waited out', async () => {
      server.injectFault({ type: 'rate_limit', retryAfterMs: 60_000 });
      const error = await failure(turn());
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.retryAfterMs, 60_000);
      assert.equal(modelRequests(server).length, 1);
      assert.deepEqual(notices, []);
    });

    test('500 is retried with the jittered backoff reported to onRetry', async () => {
      server.injectFault({ type: 'server_error' }, { count: 2 });
      const result = await turn({ ...fastPolicy, baseDelayMs: 8 });
      assert.equal(result.text, ANSWER);
      // random() = 0.5: attempt 0 → 4 + 2 = 6 ms, attempt 1 → 8 + 4 = 12 ms.
      assert.deepEqual(notices.map((n) => [n.attempt, n.delayMs, n.error.kind, n.error.status]), [
        [1, 6, 'server_error', 500],
        [2, 12, 'server_error', 500],
      ]);
      assert.equal(modelRequests(server).length, 3);
    });

    test('overloaded is retried', async () => {
      server.injectFault({ type: 'overloaded' });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.equal(notices[0]?.error.kind, 'overloaded');
      assert.equal(notices[0]?.error.status, wire === 'anthropic' ? 529 : 503);
    });

    test('an in-band stream error is retried', async () => {
      server.injectFault({ type: 'stream_error', afterChunks: 3 });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.equal(notices.length, 1);
      assert.equal(modelRequests(server).length, 2);
    });

    test('connection reset is retried', async () => {
      server.injectFault({ type: 'connection_reset' });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.equal(notices[0]?.error.kind, 'connection');
      assert.equal(modelRequests(server).length, 2);
    });

    test('the SDK request timeout (no response in time) is a retryable timeout, not a server error', async () => {
      server.setScenario(scenario([{ content: [{ text: ANSWER }], ttftMs: 3000 }]));
      const client = wire === 'openai' ? openaiFor(server, { requestTimeoutMs: 150 }) : anthropicFor(server, { requestTimeoutMs: 150 });
      const error = await failure(runTurn(client, request(), { policy: { ...fastPolicy, maxRetries: 0 } }));
      assert.equal(error.kind, 'timeout');
      assert.equal(error.retryable, true);
      await server.whenIdle();
    });

    test('a stream cut after partial text is retried behind a restart event; the text is not doubled', async () => {
      server.injectFault({ type: 'stream_cut', afterChunks: 5 });
      const result = await turn();
      assert.equal(result.text, ANSWER);
      assert.deepEqual(result.message.content, [{ type: 'text', text: ANSWER }]);
      const restart = events.findIndex((e) => e.type === 'restart');
      assert.ok(restart > 0, 'expected a restart event after some text');
      assert.ok(events.slice(0, restart).some((e) => e.type === 'text'));
      assert.deepEqual(events[restart], { type: 'restart', attempt: 1, reason: notices[0]?.error.message });
      assert.equal(notices[0]?.error.kind, 'stream_cut');
    });

    test('a stalled stream hits the idle timeout and is retried', async () => {
      // One text delta, then silence until the client gives up.
      server.injectFault({ type: 'stall', afterChunks: wire === 'openai' ? 2 : 4 });
      // Long enough that a loaded machine still delivers the first delta in time; short enough for a unit test.
      const result = await turn({ ...fastPolicy, idleTimeoutMs: 500 });
      assert.equal(result.text, ANSWER);
      assert.equal(notices[0]?.error.kind, 'timeout');
      assert.match(notices[0]?.error.message ?? '', /silent/);
      assert.ok(events.some((e) => e.type === 'restart'));
      await server.whenIdle();
      const [stalled] = modelRequests(server);
      assert.equal(stalled?.aborted, true, 'the stalled request is aborted, not left open');
      assert.ok(gapMs() >= 480, 'the timeout fired no earlier than idleTimeoutMs');
    });

    test('retries exhausted: the last error surfaces with its kind, naming the provider', async () => {
      server.injectFault({ type: 'server_error' }, { count: 10 });
      const error = await failure(turn({ ...fastPolicy, maxRetries: 2 }));
      assert.equal(error.kind, 'server_error');
      assert.equal(error.provider, wire);
      assert.equal(modelRequests(server).length, 3);
      assert.equal(notices.length, 2);
      const text = describeModelError(error);
      assert.match(text, providerName[wire]);
      assert.match(text, /retried and gave up/);
    });
  });
}

describe('no retry once a tool call was handed on', () => {
  let server: FakeModelServer;
  const args = '{"path":"a.ts"}';
  const content = [
    { tool: 'read_file', arguments: args, id: 'call_once' },
    { text: 'More text that never arrives.' },
  ];

  before(async () => {
    server = await startServer({ ...scenario([{ content }]), chunkChars: 8 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('Anthropic: cut right after content_block_stop of a tool_use → not retried, error surfaces', async () => {
    // message_start, ping, content_block_start, the empty input_json_delta, the argument deltas, content_block_stop.
    server.injectFault({ type: 'stream_cut', afterChunks: 4 + Math.ceil(args.length / 8) + 1 });
    const seen: ModelEvent[] = [];
    const notices: RetryNotice[] = [];
    const error = await failure(
      runTurn(clientFor('anthropic', server), request(), { policy: fastPolicy, hooks: { onRetry: (n) => notices.push(n) }, onEvent: (e) => seen.push(e) }),
    );
    assert.equal(error.kind, 'stream_cut');
    assert.deepEqual(
      seen.filter((e) => e.type === 'tool_call').map((e) => (e.type === 'tool_call' ? e.call.id : '')),
      ['call_once'],
      'the complete tool call was streamed before the cut',
    );
    assert.equal(modelRequests(server).length, 1);
    assert.deepEqual(notices, []);
  });

  test('OpenAI: calls are only handed on after finish_reason, so a cut mid-stream is still retried once', async () => {
    // role chunk, the call's first delta, then the argument deltas: the call looks complete but was never finished.
    server.injectFault({ type: 'stream_cut', afterChunks: 2 + Math.ceil(args.length / 8) });
    const result = await runTurn(clientFor('openai', server), request(), { policy: fastPolicy });
    assert.equal(modelRequests(server).length, 2);
    assert.deepEqual(result.toolCalls.map((c) => c.call.id), ['call_once']);
  });
});
