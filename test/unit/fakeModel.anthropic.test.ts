import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, RawMessageStreamEvent, TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { startFakeModelServer, type FakeModelServer, type ScenarioInput } from '../fake-model/index.js';
import { anthropicClient, collect, rejection, timed } from './fakeModel.helpers.js';

const GREETING = 'Hello from the fake Anthropic wire, streamed in small pieces.';
const EDIT_ARGS = { path: 'src/math.ts', old: 'add', new: 'sum' };
const TOOLS: Tool[] = [{ name: 'edit_file', input_schema: { type: 'object', properties: {} } }];
const MODEL = 'claude-fake';
const user = (content: string): MessageParam[] => [{ role: 'user', content }];

function one(response: ScenarioInput['roles'][string]['turns'][number]): ScenarioInput {
  return { name: 'one', roles: { default: { turns: [response] } } };
}

function partialJson(events: RawMessageStreamEvent[]): string {
  return events
    .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? e.delta.partial_json : ''))
    .join('');
}

describe('fake model server: Anthropic messages wire', () => {
  let server: FakeModelServer;
  let client: Anthropic;

  before(async () => {
    server = await startFakeModelServer({ scenario: one(GREETING) });
    client = anthropicClient(server);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('non-streaming text response', async () => {
    server.setScenario(one(GREETING));
    const msg = await client.messages.create({ model: MODEL, max_tokens: 256, messages: user('hi') });
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, MODEL);
    assert.deepEqual(msg.content, [{ type: 'text', text: GREETING }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.output_tokens, Math.ceil(GREETING.length / 4));
    assert.ok(msg.usage.input_tokens > 0);
  });

  test('streaming emits the full event sequence, including ping on the wire', async () => {
    server.setScenario(one(GREETING));
    const events = await collect(await client.messages.create({ model: MODEL, max_tokens: 256, messages: user('hi'), stream: true }));
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    assert.ok(types.filter((t) => t === 'content_block_delta').length >= 3);
    const text = events.map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '')).join('');
    assert.equal(text, GREETING);
    const delta = events.find((e) => e.type === 'message_delta');
    assert.ok(delta?.type === 'message_delta');
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, Math.ceil(GREETING.length / 4));

    // The SDK hides pings, so check the raw wire.
    const raw = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, stream: true, messages: user('hi') }),
    });
    assert.match(raw.headers.get('content-type') ?? '', /text\/event-stream/);
    const body = await raw.text();
    assert.match(body, /^event: message_start\ndata: /);
    assert.match(body, /event: ping\ndata: \{"type":"ping"\}/);
  });

  test('thinking, text and a tool_use stream and assemble via messages.stream()', async () => {
    server.setScenario(one({ content: [{ thinking: 'Rename needs the file.' }, { text: 'Editing now.' }, { tool: 'edit_file', arguments: EDIT_ARGS }] }));
    const jsonDeltas: string[] = [];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 1024, messages: user('rename'), tools: TOOLS });
    stream.on('inputJson', (delta) => jsonDeltas.push(delta));
    const msg = await stream.finalMessage();
    assert.equal(msg.stop_reason, 'tool_use');
    assert.deepEqual(msg.content.map((b) => b.type), ['thinking', 'text', 'tool_use']);
    const [thinking, text, tool] = msg.content;
    assert.ok(thinking?.type === 'thinking' && text?.type === 'text' && tool?.type === 'tool_use');
    assert.equal(thinking.thinking, 'Rename needs the file.');
    assert.ok(thinking.signature.length > 10);
    assert.equal(text.text, 'Editing now.');
    assert.equal(tool.name, 'edit_file');
    assert.match(tool.id, /^toolu_/);
    assert.deepEqual(tool.input, EDIT_ARGS);
    assert.ok(jsonDeltas.filter((d) => d.length > 0).length >= 3, 'input should arrive in several deltas');
  });

  test('non-streaming tool_use has a parsed input object', async () => {
    server.setScenario(one([{ tool: 'edit_file', arguments: EDIT_ARGS, id: 'toolu_fixed' }]));
    const msg = await client.messages.create({ model: MODEL, max_tokens: 1024, messages: user('rename'), tools: TOOLS });
    assert.deepEqual(msg.content, [{ type: 'tool_use', id: 'toolu_fixed', name: 'edit_file', input: EDIT_ARGS }]);
    assert.equal(msg.stop_reason, 'tool_use');
  });

  test('prompt cache: read and creation tokens follow cache_control breakpoints', async () => {
    server.setScenario(one('ok'));
    const system: TextBlockParam[] = [{ type: 'text', text: 'You are a careful coding agent. '.repeat(40), cache_control: { type: 'ephemeral' } }];
    const ask = (messages: MessageParam[], sys: TextBlockParam[] = system) =>
      client.messages.stream({ model: MODEL, max_tokens: 100, system: sys, messages }).finalMessage();

    const first = await ask(user('Rename add to sum.'));
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 200, 'system prompt is written to the cache');

    const second = await ask(user('Something else entirely.'));
    assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.equal(second.usage.cache_creation_input_tokens, 0);
    assert.ok(second.usage.input_tokens > 0 && second.usage.input_tokens < 20, 'only the user turn is uncached');

    // A breakpoint on the newest message caches the conversation so far.
    const convo: MessageParam[] = [
      { role: 'user', content: 'Rename add to sum.' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'text', text: 'Now run the tests.', cache_control: { type: 'ephemeral' } }] },
    ];
    const third = await ask(convo);
    assert.equal(third.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.ok((third.usage.cache_creation_input_tokens ?? 0) > 0);

    const noBreakpoint = await ask(user('Rename add to sum.'), [{ type: 'text', text: system[0]!.text }]);
    assert.equal(noBreakpoint.usage.cache_read_input_tokens, 0);
    assert.equal(noBreakpoint.usage.cache_creation_input_tokens, 0);
  });

  test('request max_tokens truncates output with stop_reason max_tokens', async () => {
    server.setScenario(one(GREETING));
    const msg = await client.messages.create({ model: MODEL, max_tokens: 2, messages: user('hi') });
    assert.equal(msg.stop_reason, 'max_tokens');
    assert.deepEqual(msg.content, [{ type: 'text', text: GREETING.slice(0, 8) }]);
  });

  test('GET /v1/models works with both SDKs', async () => {
    server.setScenario({ models: ['fake-a', 'fake-b'], roles: { default: { turns: ['x'] } } });
    const anthropicModels = await client.models.list();
    assert.deepEqual(anthropicModels.data.map((m) => m.id), ['fake-a', 'fake-b']);
    const { default: OpenAI } = await import('openai');
    const openai = new OpenAI({ apiKey: 'test', baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const openaiModels = await openai.models.list();
    assert.deepEqual(openaiModels.data.map((m) => m.id), ['fake-a', 'fake-b']);
  });
});

describe('fake model server: Anthropic faults', () => {
  let server: FakeModelServer;
  let client: Anthropic;

  before(async () => {
    server = await startFakeModelServer({ scenario: one('ok') });
    client = anthropicClient(server);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  const create = () => client.messages.create({ model: MODEL, max_tokens: 256, messages: user('x') });

  test('529 overloaded is an APIError with the Anthropic error shape', async () => {
    server.setScenario(one({ fault: { type: 'overloaded' } }));
    const err = await rejection(create());
    assert.ok(err instanceof Anthropic.APIError, String(err));
    assert.equal(err.status, 529);
    assert.deepEqual(Object.keys(err.error as object).sort(), ['error', 'request_id', 'type']);
    const body = err.error as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'overloaded_error');
  });

  test('rate limit, auth, billing and 500 map to the SDK error classes', async () => {
    const cases = [
      { fault: { type: 'rate_limit' as const, retryAfterSeconds: 3 }, cls: Anthropic.RateLimitError, status: 429, type: 'rate_limit_error' },
      { fault: { type: 'invalid_api_key' as const }, cls: Anthropic.AuthenticationError, status: 401, type: 'authentication_error' },
      { fault: { type: 'insufficient_quota' as const }, cls: Anthropic.APIError, status: 402, type: 'billing_error' },
      { fault: { type: 'server_error' as const }, cls: Anthropic.InternalServerError, status: 500, type: 'api_error' },
      { fault: { type: 'bad_request' as const }, cls: Anthropic.BadRequestError, status: 400, type: 'invalid_request_error' },
    ];
    for (const c of cases) {
      server.injectFault(c.fault);
      const err = await rejection(create());
      assert.ok(err instanceof c.cls, `${c.fault.type}: ${String(err)}`);
      assert.equal(err.status, c.status);
      assert.equal((err.error as { error: { type: string } }).error.type, c.type);
    }
    const rec = server.requests()[0];
    assert.equal(rec?.status, 429);
  });

  test('rate limit sends retry-after and retry-after-ms by default', async () => {
    server.injectFault({ type: 'rate_limit' });
    const err = await rejection(create());
    assert.ok(err instanceof Anthropic.RateLimitError);
    assert.equal(err.headers?.get('retry-after'), '1');
    assert.equal(err.headers?.get('retry-after-ms'), '1000');
  });

  test('connection reset raises APIConnectionError', async () => {
    server.injectFault({ type: 'connection_reset' });
    const err = await rejection(create());
    assert.ok(err instanceof Anthropic.APIConnectionError, String(err));
  });

  test('stream cut makes finalMessage() reject after partial text', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stream_cut', afterChunks: 5 } }));
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: user('x') });
    let text = '';
    stream.on('text', (t) => (text += t));
    const err = await rejection(stream.finalMessage());
    assert.ok(err instanceof Error);
    assert.ok(!(err instanceof Anthropic.APIUserAbortError));
    assert.ok(text.length > 0 && text.length < GREETING.length, `got ${JSON.stringify(text)}`);
  });

  test('in-band overloaded error event mid-stream', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stream_error', afterChunks: 4 } }));
    const err = await rejection(client.messages.stream({ model: MODEL, max_tokens: 256, messages: user('x') }).finalMessage());
    assert.ok(err instanceof Anthropic.APIError, String(err));
    assert.equal((err.error as { error: { type: string } }).error.type, 'overloaded_error');
  });

  test('a stall is abortable with an AbortController', async () => {
    server.setScenario(one({ content: [{ text: GREETING }], fault: { type: 'stall', afterChunks: 3 } }));
    const controller = new AbortController();
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: user('x') }, { signal: controller.signal });
    stream.on('streamEvent', () => setTimeout(() => controller.abort(), 100));
    const { value: err, ms } = await timed(() => rejection(stream.finalMessage()));
    assert.ok(err instanceof Anthropic.APIUserAbortError, String(err));
    assert.ok(ms >= 90 && ms < 5000, `aborted after ${ms}ms`);
    await server.whenIdle();
    assert.equal(server.requests()[0]?.aborted, true);
  });

  test('a non-streaming stall holds the response until it ends', async () => {
    server.setScenario(one({ content: [{ text: 'late' }], fault: { type: 'stall', durationMs: 150 } }));
    const { value, ms } = await timed(create);
    assert.deepEqual(value.content, [{ type: 'text', text: 'late' }]);
    assert.ok(ms >= 130, `took ${ms}ms`);
    const rec = server.requests()[0]!;
    assert.ok(rec.completedAt! - rec.firstByteAt! >= 130, 'headers first, body after the stall');
  });

  test('malformed tool input arrives raw: in input_json_delta and as the JSON input', async () => {
    server.setScenario(one({ content: [{ tool: 'edit_file', arguments: EDIT_ARGS }], fault: { type: 'malformed_arguments', raw: '{"path": "src/math.ts", oops' } }));
    const events = await collect(await client.messages.create({ model: MODEL, max_tokens: 256, messages: user('x'), tools: TOOLS, stream: true }));
    assert.equal(partialJson(events), '{"path": "src/math.ts", oops');
    const msg = await create();
    assert.equal(msg.content[0]?.type === 'tool_use' ? msg.content[0].input : null, '{"path": "src/math.ts", oops');
    // The SDK's stream helper parses the input and refuses it.
    await assert.rejects(client.messages.stream({ model: MODEL, max_tokens: 256, messages: user('x') }).finalMessage());
  });

  test('truncation stops with max_tokens in the middle of the tool input', async () => {
    server.setScenario(one({ content: [{ text: 'Editing.' }, { tool: 'edit_file', arguments: EDIT_ARGS }], fault: { type: 'truncate', atChars: 10 } }));
    const full = JSON.stringify(EDIT_ARGS);
    const events = await collect(await client.messages.create({ model: MODEL, max_tokens: 256, messages: user('x'), tools: TOOLS, stream: true }));
    const delta = events.find((e) => e.type === 'message_delta');
    assert.ok(delta?.type === 'message_delta');
    assert.equal(delta.delta.stop_reason, 'max_tokens');
    assert.equal(partialJson(events), full.slice(0, 10));
    const msg = await create();
    assert.equal(msg.stop_reason, 'max_tokens');
    assert.equal(msg.content[1]?.type === 'tool_use' ? msg.content[1].input : null, full.slice(0, 10));
  });
});

describe('fake model server: Anthropic recording and latency', () => {
  let server: FakeModelServer;

  before(async () => {
    server = await startFakeModelServer({ scenario: one(GREETING) });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('records the request with credentials redacted', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-secret', baseURL: server.anthropicBaseUrl, maxRetries: 0, defaultHeaders: { 'x-api-key': 'sk-ant-other' } });
    await client.messages.create({ model: MODEL, max_tokens: 64, system: 'Be brief.', messages: user('hi') });
    const [rec] = server.requests();
    assert.ok(rec);
    assert.equal(rec.path, '/v1/messages');
    assert.equal(rec.provider, 'anthropic');
    assert.equal(rec.headers['x-api-key'], '***');
    assert.equal(rec.headers['authorization'] ?? 'Bearer ***', 'Bearer ***');
    assert.ok(!JSON.stringify(rec).includes('sk-ant'));
    assert.deepEqual(rec.body, { model: MODEL, max_tokens: 64, system: 'Be brief.', messages: user('hi') });
    assert.ok(rec.firstByteAt !== null && rec.completedAt !== null && rec.arrivedAt <= rec.firstByteAt);
  });

  test('scenario-level latency paces the stream', async () => {
    server.setScenario({ latency: { ttftMs: 120, tokensPerSecond: 400 }, roles: { default: { turns: ['y'.repeat(320)] } } });
    const client = anthropicClient(server);
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: user('x') });
    const start = performance.now();
    let firstText: number | null = null;
    stream.on('text', () => (firstText ??= performance.now() - start));
    await stream.finalMessage();
    const total = performance.now() - start;
    // Nominal: 120ms to first token, 80 tokens at 400 tps = 200ms more.
    assert.ok(firstText !== null && firstText >= 110, `first text at ${firstText}ms`);
    assert.ok(total >= 250 && total < 5000, `total ${total}ms`);
  });
});
