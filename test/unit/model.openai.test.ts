import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import type { ModelClient, ModelMessage } from '../../src/agent/model/modelTypes';
import { createOpenAiClient } from '../../src/agent/model/openaiClient';
import { runTurn } from '../../src/agent/model/turn';
import { arrayAt, bodyOf, FAKE_KEY, fastPolicy, modelRequests, openaiFor, request, scenario, startServer, TOOLS, userText } from './support/modelHarness';

const toolTurn: ModelMessage[] = [
  userText('Rename add to sum.'),
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Reading first.' },
      { type: 'tool_call', id: 'call_1', name: 'read_file', rawArguments: '{"path": "src/math.ts"}' },
      { type: 'tool_call', id: 'call_2', name: 'read_file', rawArguments: '{"path":"src/b.ts"}' },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', toolCallId: 'call_1', content: 'export const add = 1;', isError: false },
      { type: 'tool_result', toolCallId: 'call_2', content: 'ENOENT', isError: true },
      { type: 'text', text: 'Go on.' },
    ],
  },
];

/** Builds a client whose requests to `from` land on the fake server, so official-looking base URLs can be tested. */
/** Runs `send` with requests to `from` going to the fake server instead. */
async function redirected<T>(server: FakeModelServer, from: string, send: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch;
  const to = server.openaiBaseUrl;
  const rewrite: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return real(url.startsWith(from) ? to + url.slice(from.length) : url, init);
  };
  // The SDK captures fetch when it is constructed, which is on the client's first request (or warm-up).
  globalThis.fetch = rewrite;
  try {
    return await send();
  } finally {
    globalThis.fetch = real;
  }
}

describe('OpenAI request shape', () => {
  let server: FakeModelServer;
  const sentBody = async (client: ModelClient, messages: ModelMessage[] = [userText('Hi.')]) => {
    await runTurn(client, request({ messages, maxOutputTokens: 777 }), { policy: fastPolicy });
    return bodyOf(modelRequests(server).at(-1));
  };

  before(async () => {
    server = await startServer(scenario(['Fine.']));
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('streams with include_usage, sends tools as functions, system prompt then stable context first', async () => {
    const body = await sentBody(openaiFor(server, { model: 'gpt-fake-1' }));
    assert.equal(body.model, 'gpt-fake-1');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(
      body.tools,
      TOOLS.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } })),
    );
    assert.deepEqual(arrayAt(body, 'messages')[0], { role: 'system', content: 'You are a careful test model.' });
  });

  test('a compatible server (127.0.0.1) gets max_tokens, not max_completion_tokens', async () => {
    const body = await sentBody(openaiFor(server));
    assert.equal(body.max_tokens, 777);
    assert.equal('max_completion_tokens' in body, false);
    assert.equal('reasoning_effort' in body, false);
  });

  test('the default endpoint (no base URL) gets max_completion_tokens', async () => {
    // With no baseUrl the SDK reads OPENAI_BASE_URL (when it is constructed, on the first request):
    // point it at the fake for this one client.
    const saved = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
    let body: Record<string, unknown>;
    try {
      body = await sentBody(createOpenAiClient({ apiKey: FAKE_KEY, model: 'gpt-fake', requestTimeoutMs: 10_000 }));
    } finally {
      if (saved === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved;
    }
    assert.equal(body.max_completion_tokens, 777);
    assert.equal('max_tokens' in body, false);
  });

  for (const official of ['https://api.openai.com/v1', 'https://my-resource.openai.azure.com/openai/v1']) {
    test(`an official base URL (${new URL(official).hostname}) gets max_completion_tokens`, async () => {
      const body = await redirected(server, official, () => sentBody(createOpenAiClient({ apiKey: FAKE_KEY, model: 'gpt-fake', baseUrl: official, requestTimeoutMs: 10_000 })));
      assert.equal(body.max_completion_tokens, 777);
      assert.equal('max_tokens' in body, false);
    });
  }

  test('reasoning_effort is passed when set (and implies max_completion_tokens)', async () => {
    const body = await sentBody(openaiFor(server, { reasoningEffort: 'low' }));
    assert.equal(body.reasoning_effort, 'low');
    assert.equal(body.max_completion_tokens, 777);
  });

  test('extra headers arrive; the key goes as Bearer by default', async () => {
    await sentBody(openaiFor(server, { headers: { 'HTTP-Referer': 'https://plumbline.dev', 'X-Title': 'Plumbline' } }));
    const headers = modelRequests(server)[0]?.headers ?? {};
    assert.equal(headers['http-referer'], 'https://plumbline.dev');
    assert.equal(headers['x-title'], 'Plumbline');
    assert.equal(headers.authorization, 'Bearer ***');
    assert.equal('api-key' in headers, false);
  });

  test('apiKeyHeader (Azure api-key) carries the key instead of Authorization', async () => {
    await sentBody(openaiFor(server, { apiKeyHeader: 'api-key', headers: { 'X-Title': 'Plumbline' } }));
    const headers = modelRequests(server)[0]?.headers ?? {};
    // The recorder masks known key headers, so presence is what can be checked here.
    assert.equal(headers['api-key'], '***');
    assert.equal(headers['x-title'], 'Plumbline');
    assert.equal('authorization' in headers, false, 'the key must not also be sent as a Bearer token');
  });

  test('tool calls replay verbatim; results become role:"tool" messages before the user text', async () => {
    const messages = arrayAt(await sentBody(openaiFor(server), toolTurn), 'messages');
    assert.deepEqual(messages.slice(1), [
      { role: 'user', content: 'Rename add to sum.' },
      {
        role: 'assistant',
        content: 'Reading first.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path": "src/math.ts"}' } },
          { id: 'call_2', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/b.ts"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'export const add = 1;' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: ENOENT' },
      { role: 'user', content: 'Go on.' },
    ]);
  });

  test('an assistant turn with only tool calls has null content; an interrupted call gets a tool message', async () => {
    const history: ModelMessage[] = [userText('Go.'), { role: 'assistant', content: [{ type: 'tool_call', id: 'call_cut', name: 'read_file', rawArguments: '{}' }] }];
    const messages = arrayAt(await sentBody(openaiFor(server), history), 'messages');
    assert.deepEqual(messages[2], { role: 'assistant', content: null, tool_calls: [{ id: 'call_cut', type: 'function', function: { name: 'read_file', arguments: '{}' } }] });
    assert.deepEqual(messages[3], { role: 'tool', tool_call_id: 'call_cut', content: 'Error: This tool call was interrupted before it ran; it had no effect.' });
    assert.equal(messages.length, 4);
  });

  test('no tools → no tools key', async () => {
    await runTurn(openaiFor(server), request({ tools: [] }), { policy: fastPolicy });
    assert.equal('tools' in bodyOf(modelRequests(server)[0]), false);
  });
});
