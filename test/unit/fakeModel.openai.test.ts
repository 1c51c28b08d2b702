import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startFakeModelServer, type FakeModelServer, type ScenarioInput } from '../fake-model/index.js';
import { collect, openaiClient, rejection, timed } from './fakeModel.helpers.js';

const GREETING = 'Hello from the fake OpenAI wire, streamed in small pieces.';
const READ_ARGS = { path: 'src/math.ts', startLine: 1, endLine: 40 };
const TOOLS: ChatCompletionTool[] = [
  { type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: {} } } },
  { type: 'function', function: { name: 'list_dir', parameters: { type: 'object', properties: {} } } },
];
const user = (content: string) => [{ role: 'user' as const, content }];

function one(response: ScenarioInput['roles'][string]['turns'][number]): ScenarioInput {
  return { name: 'one', roles: { default: { turns: [response] } } };
}

describe('fake model server: OpenAI chat completions wire', () => {
  let server: FakeModelServer;
  let client: OpenAI;

  before(async () => {
    server = await startFakeModelServer({ scenario: one(GREETING) });
    client = openaiClient(server);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('non-streaming text response', async () => {
    server.setScenario(one(GREETING));
    const res = await client.chat.completions.create({ model: 'gpt-fake', messages: user('hi') });
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.model, 'gpt-fake');
    assert.equal(res.choices[0]?.message.content, GREETING);
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.equal(res.usage?.completion_tokens, Math.ceil(GREETING.length / 4));
    assert.ok((res.usage?.prompt_tokens ?? 0) > 0);
    assert.equal(res.usage?.total_tokens, (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
  });

  test('streaming text arrives in several chunks, then a usage-only chunk', async () => {
    server.setScenario(one(GREETING));
    const stream = await client.chat.completions.create({
      model: 'gpt-fake',
      messages: user('hi'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = await collect(stream);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, GREETING);
    assert.ok(chunks.filter((c) => c.choices[0]?.delta.content).length >= 3, 'text should be split across chunks');
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0]?.finish_reason, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage?.completion_tokens, Math.ceil(GREETING.length / 4));
  });

  test('streaming without include_usage sends no usage chunk', async () => {
    server.setScenario(one(GREETING));
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-fake', messages: user('hi'), stream: true }));
    assert.ok(chunks.length > 2);
    assert.ok(chunks.every((c) => c.usage == null && c.choices.length === 1));
  });

  test('tool calls stream with split arguments and assemble via the SDK helper', async () => {
    server.setScenario(one({ content: [{ text: 'Looking.' }, { tool: 'read_file', arguments: READ_ARGS }, { tool: 'list_dir', arguments: { path: 'src' } }] }));
    const argDeltas: string[] = [];
    const stream = client.chat.completions.stream({ model: 'gpt-fake', messages: user('read it'), tools: TOOLS });
    stream.on('tool_calls.function.arguments.delta', (e) => argDeltas.push(e.arguments_delta));
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, 'Looking.');
    const calls = choice?.message.tool_calls ?? [];
    assert.equal(calls.length, 2);
    const [first, second] = calls;
    assert.ok(first?.type === 'function' && second?.type === 'function');
    assert.equal(first.function.name, 'read_file');
    assert.deepEqual(JSON.parse(first.function.arguments), READ_ARGS);
    assert.equal(second.function.name, 'list_dir');
    assert.deepEqual(JSON.parse(second.function.arguments), { path: 'src' });
    assert.notEqual(first.id, second.id);
    assert.ok(argDeltas.filter((d) => d.length > 0).length >= 4, 'arguments should arrive in several deltas');
  });

  test('non-streaming tool call and a raw-string argument pass through verbatim', async () => {
    server.setScenario(one({ content: [{ tool: 'read_file', arguments: '{"path": "x.ts"}', id: 'call_fixed' }] }));
    const res = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), tools: TOOLS });
    const call = res.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.id, 'call_fixed');
    assert.equal(call.function.arguments, '{"path": "x.ts"}');
    assert.equal(res.choices[0]?.message.content, null);
    assert.equal(res.choices[0]?.finish_reason, 'tool_calls');
  });

  test('prompt cache: a repeated prefix is reported as cached_tokens, per model', async () => {
    server.setScenario(one('ok'));
    const system = { role: 'system' as const, content: 'You are a careful coding agent. '.repeat(40) };
    const firstTurn = [system, { role: 'user' as const, content: 'Rename add to sum.' }];
    const a = await client.chat.completions.create({ model: 'gpt-fake', messages: firstTurn });
    assert.equal(a.usage?.prompt_tokens_details?.cached_tokens, 0);
    const b = await client.chat.completions.create({
      model: 'gpt-fake',
      messages: [...firstTurn, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'Now run the tests.' }],
    });
    const cached = b.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    // Everything the first prompt had, except the closing characters, is shared.
    assert.ok(cached >= (a.usage?.prompt_tokens ?? 0) - 2, `cached=${cached}`);
    assert.ok(cached < (b.usage?.prompt_tokens ?? 0));
    const other = await client.chat.completions.create({ model: 'gpt-other', messages: firstTurn });
    assert.equal(other.usage?.prompt_tokens_details?.cached_tokens, 0, 'cache is per model');
  });

  test('usage can be overridden by the scenario (streaming)', async () => {
    server.setScenario(one({ content: [{ text: 'x' }], usage: { inputTokens: 100, cachedTokens: 900, outputTokens: 7 } }));
    const stream = client.chat.completions.stream({ model: 'gpt-fake', messages: user('x'), stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    assert.equal(final.usage?.prompt_tokens, 1000);
    assert.equal(final.usage?.prompt_tokens_details?.cached_tokens, 900);
    assert.equal(final.usage?.completion_tokens, 7);
  });

  test('request max_tokens truncates output with finish_reason length', async () => {
    server.setScenario(one(GREETING));
    const res = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), max_completion_tokens: 3 });
    assert.equal(res.choices[0]?.finish_reason, 'length');
    assert.equal(res.choices[0]?.message.content, GREETING.slice(0, 12));
  });
});

describe('fake model server: OpenAI faults', () => {
  let server: FakeModelServer;
  let client: OpenAI;

  before(async () => {
    server = await startFakeModelServer({ scenario: one('ok') });
    client = openaiClient(server);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('429 rate limit raises RateLimitError with retry hints', async () => {
    server.setScenario(one({ fault: { type: 'rate_limit', retryAfterSeconds: 2, retryAfterMs: 1500 } }));
    const err = await rejection(client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }));
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.headers.get('retry-after'), '2');
    assert.equal(err.headers.get('retry-after-ms'), '1500');
  });

  test('OpenAI-shaped errors: insufficient_quota, invalid_api_key, bad request, 500, overloaded', async () => {
    const cases = [
      { fault: { type: 'insufficient_quota' as const }, cls: OpenAI.RateLimitError, status: 429, code: 'insufficient_quota' },
      { fault: { type: 'invalid_api_key' as const }, cls: OpenAI.AuthenticationError, status: 401, code: 'invalid_api_key' },
      { fault: { type: 'bad_request' as const, message: 'messages too long' }, cls: OpenAI.BadRequestError, status: 400, code: undefined },
      { fault: { type: 'server_error' as const }, cls: OpenAI.InternalServerError, status: 500, code: undefined },
      { fault: { type: 'overloaded' as const }, cls: OpenAI.InternalServerError, status: 503, code: undefined },
    ];
    for (const c of cases) {
      server.injectFault(c.fault);
      const err = await rejection(client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }));
      assert.ok(err instanceof c.cls, `${c.fault.type}: ${String(err)}`);
      assert.equal(err.status, c.status, c.fault.type);
      if (c.code) assert.equal(err.code, c.code);
      assert.equal(typeof (err.error as { message?: unknown }).message, 'string');
    }
    const badRequest = server.requests()[2];
    assert.equal(badRequest?.fault, 'bad_request');
  });

  test('connection reset raises APIConnectionError', async () => {
    server.injectFault({ type: 'connection_reset' });
    const err = await rejection(client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }));
    assert.ok(err instanceof OpenAI.APIConnectionError, String(err));
    assert.equal(server.requests()[0]?.status, null);
  });

  test('stream cut mid-way makes the stream throw after some chunks', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stream_cut', afterChunks: 3 } }));
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), stream: true });
    const seen: string[] = [];
    const err = await rejection(
      (async () => {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
      })(),
    );
    assert.ok(err instanceof Error);
    assert.ok(!(err instanceof OpenAI.APIUserAbortError));
    assert.equal(seen.length, 3);
    assert.ok(seen.join('').length < GREETING.length);
  });

  test('in-band stream error surfaces as an APIError', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stream_error', afterChunks: 2, kind: 'server_error' } }));
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), stream: true });
    const err = await rejection(collect(stream));
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.match(err.message, /server had an error/);
  });

  test('a stall without duration hangs until the client aborts', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stall', afterChunks: 1 } }));
    const controller = new AbortController();
    const stream = client.chat.completions.stream({ model: 'gpt-fake', messages: user('x') }, { signal: controller.signal });
    let chunks = 0;
    stream.on('chunk', () => {
      chunks += 1;
      setTimeout(() => controller.abort(), 100);
    });
    const { value: err, ms } = await timed(() => rejection(stream.finalChatCompletion()));
    assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
    assert.equal(chunks, 1);
    assert.ok(ms >= 90 && ms < 5000, `aborted after ${ms}ms`);
    await server.whenIdle();
    const rec = server.requests()[0];
    assert.equal(rec?.aborted, true);
    assert.equal(rec?.fault, 'stall');
  });

  test('a stall with durationMs resumes and completes', async () => {
    server.setScenario(one({ content: [{ text: 'short' }], fault: { type: 'stall', afterChunks: 0, durationMs: 200 } }));
    const { value, ms } = await timed(() => client.chat.completions.stream({ model: 'gpt-fake', messages: user('x') }).finalChatCompletion());
    assert.equal(value.choices[0]?.message.content, 'short');
    assert.ok(ms >= 180, `took ${ms}ms`);
  });

  test('malformed tool arguments arrive as the raw string', async () => {
    server.setScenario(one({ content: [{ tool: 'read_file', arguments: { path: 'a.ts' } }], fault: { type: 'malformed_arguments' } }));
    const res = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), tools: TOOLS });
    const call = res.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.function.arguments, '{"path":"a.ts",,}');
    assert.throws(() => JSON.parse(call.function.arguments) as unknown, SyntaxError);

    const final = await client.chat.completions.stream({ model: 'gpt-fake', messages: user('x'), tools: TOOLS }).finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(streamed?.type === 'function');
    assert.equal(streamed.function.arguments, '{"path":"a.ts",,}');
  });

  test('truncation stops with finish_reason length inside the tool arguments', async () => {
    const args = { path: 'src/math.ts', content: 'export const sum = (a: number, b: number) => a + b;' };
    server.setScenario(one({ content: [{ text: 'Writing.' }, { tool: 'write_file', arguments: args }], fault: { type: 'truncate' } }));
    const full = JSON.stringify(args);
    for (const stream of [false, true]) {
      const res = stream
        ? await client.chat.completions.stream({ model: 'gpt-fake', messages: user('x'), tools: TOOLS }).finalChatCompletion()
        : await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), tools: TOOLS });
      const choice = res.choices[0];
      assert.equal(choice?.finish_reason, 'length', `stream=${stream}`);
      const call = choice?.message.tool_calls?.[0];
      assert.ok(call?.type === 'function');
      assert.ok(full.startsWith(call.function.arguments) && call.function.arguments.length < full.length);
      assert.equal(call.function.arguments.length, Math.floor(full.length / 2));
      assert.throws(() => JSON.parse(call.function.arguments) as unknown);
    }
  });

  test('an injected fault does not consume the scripted turn, so a retry gets it', async () => {
    server.setScenario({ roles: { default: { turns: ['first', 'second'] } } });
    server.injectFault({ type: 'rate_limit', retryAfterMs: 10 });
    const retrying = openaiClient(server, 2);
    const res = await retrying.chat.completions.create({ model: 'gpt-fake', messages: user('x') });
    assert.equal(res.choices[0]?.message.content, 'first');
    const recs = server.requests();
    assert.equal(recs.length, 2);
    assert.equal(recs[0]?.status, 429);
    assert.equal(recs[1]?.headers['x-stainless-retry-count'], '1');
  });

  test('an injected stream fault replays the same turn on the next request', async () => {
    server.setScenario({ roles: { default: { turns: ['first answer, long enough to cut', 'second'] } } });
    server.injectFault({ type: 'stream_cut', afterChunks: 2 });
    const cut = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), stream: true });
    assert.ok((await rejection(collect(cut))) instanceof Error);
    const again = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x') });
    assert.equal(again.choices[0]?.message.content, 'first answer, long enough to cut');
    assert.deepEqual(server.requests().map((r) => [r.turn, r.fault]), [[0, 'stream_cut'], [0, null]]);
  });

  test('faults can be injected over the control API for the next N requests', async () => {
    server.setScenario(one('ok'));
    const res = await fetch(`${server.url}/_fake/fault`, {
      method: 'POST',
      body: JSON.stringify({ fault: { type: 'server_error' }, count: 2 }),
    });
    assert.equal(res.status, 200);
    for (let i = 0; i < 2; i++) {
      const err = await rejection(client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }));
      assert.ok(err instanceof OpenAI.InternalServerError);
    }
    const ok = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x') });
    assert.equal(ok.choices[0]?.message.content, 'ok');
  });
});

describe('fake model server: OpenAI recording and latency', () => {
  let server: FakeModelServer;
  let client: OpenAI;

  before(async () => {
    server = await startFakeModelServer({ scenario: one('ok') });
    client = new OpenAI({ apiKey: 'sk-very-secret', baseURL: server.openaiBaseUrl, maxRetries: 0 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('records method, path, redacted headers, body and ordered timings', async () => {
    await client.chat.completions.create({ model: 'gpt-fake', messages: user('record me') }, { headers: { 'x-api-key': 'also-secret' } });
    const [rec] = server.requests();
    assert.ok(rec);
    assert.equal(rec.method, 'POST');
    assert.equal(rec.path, '/v1/chat/completions');
    assert.equal(rec.headers['authorization'], 'Bearer ***');
    assert.equal(rec.headers['x-api-key'], '***');
    assert.ok(!JSON.stringify(rec).includes('secret'));
    assert.deepEqual(rec.body, { model: 'gpt-fake', messages: user('record me') });
    assert.equal(rec.provider, 'openai');
    assert.equal(rec.role, 'default');
    assert.equal(rec.turn, 0);
    assert.equal(rec.status, 200);
    assert.equal(rec.aborted, false);
    assert.ok(rec.firstByteAt !== null && rec.completedAt !== null);
    assert.ok(rec.arrivedAt <= rec.firstByteAt && rec.firstByteAt <= rec.completedAt);
  });

  test('time to first token and tokens per second pace the stream', async () => {
    const text = 'x'.repeat(400); // 100 tokens
    server.setScenario(one({ content: [{ text }], ttftMs: 150, tokensPerSecond: 500 }));
    const start = performance.now();
    const arrivals: number[] = [];
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages: user('x'), stream: true });
    for await (const c of stream) if (c.choices[0]?.delta.content) arrivals.push(performance.now() - start);
    assert.equal(arrivals.length, 50);
    // Nominal: first token at 150ms, then 100 tokens / 500 tps = 200ms more.
    assert.ok(arrivals[0]! >= 140, `first token at ${arrivals[0]}ms`);
    const spread = arrivals.at(-1)! - arrivals[0]!;
    assert.ok(spread >= 150 && spread < 3000, `stream spread ${spread}ms`);
    const rec = server.requests()[0]!;
    assert.ok(rec.firstByteAt! - rec.arrivedAt >= 140);
  });

  test('a client abort before the first byte is recorded', async () => {
    server.setScenario(one({ content: [{ text: 'never sent' }], ttftMs: 10_000 }));
    const err = await rejection(client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }, { signal: AbortSignal.timeout(100) }));
    assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
    await server.whenIdle();
    const rec = server.requests()[0]!;
    assert.equal(rec.aborted, true);
    assert.equal(rec.firstByteAt, null);
    assert.equal(rec.status, null);
    assert.ok(rec.completedAt! - rec.arrivedAt < 5000);
  });

  test('close() ends a request stalled forever and lets the client fail fast', async () => {
    const own = await startFakeModelServer({ scenario: one({ content: [{ text: 'x' }], fault: { type: 'stall', afterChunks: 0 } }) });
    const ownClient = openaiClient(own);
    const pending = rejection(ownClient.chat.completions.create({ model: 'gpt-fake', messages: user('x'), stream: true }).then(collect));
    while (own.requests()[0]?.firstByteAt == null) await new Promise((r) => setTimeout(r, 10));
    const { ms } = await timed(() => own.close());
    assert.ok(ms < 2000, `close took ${ms}ms`);
    assert.ok((await pending) instanceof Error);
    assert.equal(own.requests()[0]?.aborted, false, 'a server shutdown is not a client abort');
  });

  test('latency also delays non-streaming responses', async () => {
    server.setScenario(one({ content: [{ text: 'x'.repeat(200) }], ttftMs: 100, tokensPerSecond: 500 }));
    const { ms } = await timed(() => client.chat.completions.create({ model: 'gpt-fake', messages: user('x') }));
    // 100ms + 50 tokens / 500 tps = 200ms nominal.
    assert.ok(ms >= 180 && ms < 3000, `took ${ms}ms`);
  });
});
