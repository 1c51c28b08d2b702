import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import { toAnthropicMessages } from '../../src/agent/model/anthropicMessages';
import type { ModelEvent, ModelMessage } from '../../src/agent/model/modelTypes';
import { runTurn } from '../../src/agent/model/turn';
import { anthropicFor, arrayAt, bodyOf, fastPolicy, isJson, modelRequests, readFileTool, request, scenario, startServer, TOOLS, userText } from './support/modelHarness';

/** Every place in a body that carries a cache_control marker, as a path like `messages[2].content[1]`, sorted. */
function breakpoints(body: unknown): string[] {
  return markers(body).sort();
}

function markers(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => markers(item, `${path}[${index}]`));
  if (!isJson(value)) return [];
  const here = 'cache_control' in value ? [path] : [];
  return [...here, ...Object.entries(value).flatMap(([key, inner]) => (key === 'cache_control' ? [] : markers(inner, path === '' ? key : `${path}.${key}`)))];
}

const toolTurn: ModelMessage[] = [
  userText('Rename add to sum.'),
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Reading first.' },
      { type: 'tool_call', id: 'toolu_1', name: 'read_file', rawArguments: '{"path":"src/math.ts"}' },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', toolCallId: 'toolu_1', content: 'export const add = 1;', isError: false },
      { type: 'text', text: 'Go on.' },
    ],
  },
];

describe('Anthropic request shape', () => {
  let server: FakeModelServer;

  before(async () => {
    server = await startServer(scenario(['Fine.']));
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('cache_control on the last tool, the last system block and the newest block, nowhere else', async () => {
    await runTurn(anthropicFor(server), request({ stableContext: 'Project rules: keep it small.', messages: toolTurn }), { policy: fastPolicy });
    const body = bodyOf(modelRequests(server)[0]);
    assert.deepEqual(breakpoints(body), ['messages[2].content[1]', 'system[1]', 'tools[1]']);
    assert.deepEqual(arrayAt(body, 'system'), [
      { type: 'text', text: 'You are a careful test model.' },
      { type: 'text', text: 'Project rules: keep it small.', cache_control: { type: 'ephemeral' } },
    ]);
    const tools = arrayAt(body, 'tools');
    assert.deepEqual(tools[1], { name: 'write_file', description: 'Writes a file of the workspace.', input_schema: { type: 'object', ...TOOLS[1]?.inputSchema }, cache_control: { type: 'ephemeral' } });
    const messages = arrayAt(body, 'messages');
    // The replayed call: the raw JSON as an object; the result first in the answering user turn.
    assert.deepEqual(messages[1], {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Reading first.' },
        { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'src/math.ts' } },
      ],
    });
    assert.deepEqual(messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'export const add = 1;' },
        { type: 'text', text: 'Go on.', cache_control: { type: 'ephemeral' } },
      ],
    });
  });

  test('without stable context or tools the breakpoints move accordingly', async () => {
    await runTurn(anthropicFor(server), request({ tools: [], messages: [userText('Hi.')] }), { policy: fastPolicy });
    const body = bodyOf(modelRequests(server)[0]);
    assert.deepEqual(breakpoints(body), ['messages[0].content[0]', 'system[0]']);
    assert.equal('tools' in body, false);
  });

  test('a newest message ending in a tool result carries the rolling breakpoint there', async () => {
    const messages = toolTurn.slice(0, 2).concat({ role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: 'boom', isError: true }] });
    await runTurn(anthropicFor(server), request({ messages, tools: [readFileTool] }), { policy: fastPolicy });
    const body = bodyOf(modelRequests(server)[0]);
    assert.deepEqual(breakpoints(body), ['messages[2].content[0]', 'system[0]', 'tools[0]']);
    assert.deepEqual(arrayAt(body, 'messages')[2], {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'boom', is_error: true, cache_control: { type: 'ephemeral' } }],
    });
  });

  test('extended thinking: the budget is sent and thinking is replayed with its signature', async () => {
    server.setScenario(
      scenario([
        { content: [{ thinking: 'The file must be read before editing.', signature: 'sig-Zm9vYmFy' }, { text: 'Reading.' }, { tool: 'read_file', arguments: { path: 'a.ts' }, id: 'toolu_t' }] },
        'Done.',
      ]),
    );
    const client = anthropicFor(server, { thinkingBudgetTokens: 2048 });
    const events: ModelEvent[] = [];
    const first = await runTurn(client, request({ maxOutputTokens: 4096 }), { policy: fastPolicy, onEvent: (e) => events.push(e) });
    const thinking = { type: 'thinking', thinking: 'The file must be read before editing.', signature: 'sig-Zm9vYmFy' } as const;
    assert.deepEqual(events.filter((e) => e.type === 'reasoning_block'), [{ type: 'reasoning_block', part: thinking }]);
    assert.equal(events.filter((e) => e.type === 'thinking').map((e) => (e.type === 'thinking' ? e.delta : '')).join(''), thinking.thinking);
    assert.deepEqual(first.message.content.map((p) => p.type), ['thinking', 'text', 'tool_call']);

    const history: ModelMessage[] = [
      userText('Hi.'),
      first.message,
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_t', content: 'contents', isError: false }] },
    ];
    await runTurn(client, request({ maxOutputTokens: 4096, messages: history }), { policy: fastPolicy });
    const [one, two] = modelRequests(server).map(bodyOf);
    assert.deepEqual(one?.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(one?.max_tokens, 4096);
    assert.deepEqual(arrayAt(two!, 'messages')[1], {
      role: 'assistant',
      content: [thinking, { type: 'text', text: 'Reading.' }, { type: 'tool_use', id: 'toolu_t', name: 'read_file', input: { path: 'a.ts' } }],
    });
  });

  test('no thinking parameter unless a budget is configured', async () => {
    await runTurn(anthropicFor(server), request(), { policy: fastPolicy });
    assert.equal('thinking' in bodyOf(modelRequests(server)[0]), false);
  });

  test('redacted thinking and malformed arguments are replayed in a shape Anthropic accepts', () => {
    const [converted] = toAnthropicMessages([
      {
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_call', id: 'toolu_x', name: 'read_file', rawArguments: '{"path":' },
        ],
      },
      userText('next'),
    ]);
    assert.deepEqual(converted, {
      role: 'assistant',
      content: [
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'tool_use', id: 'toolu_x', name: 'read_file', input: {} },
      ],
    });
  });
});

describe('history repair on the Anthropic wire', () => {
  let server: FakeModelServer;
  const call: ModelMessage = { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_orphan', name: 'read_file', rawArguments: '{"path":"a.ts"}' }] };

  before(async () => {
    server = await startServer(scenario(['Fine.']));
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  const sent = async (messages: ModelMessage[]): Promise<unknown[]> => {
    await runTurn(anthropicFor(server), request({ messages }), { policy: fastPolicy });
    return arrayAt(bodyOf(modelRequests(server)[0]), 'messages');
  };

  test('a tool call without its result gets a synthetic error result before the next user text', async () => {
    const messages = await sent([userText('Read a.ts.'), call, userText('Carry on.')]);
    assert.equal(messages.length, 3);
    const answer = messages[2];
    assert.ok(isJson(answer) && Array.isArray(answer.content));
    const [result, text] = answer.content as unknown[];
    assert.ok(isJson(result));
    assert.equal(result.type, 'tool_result');
    assert.equal(result.tool_use_id, 'toolu_orphan');
    assert.equal(result.is_error, true);
    assert.match(String(result.content), /interrupted before it ran/);
    assert.deepEqual(text, { type: 'text', text: 'Carry on.', cache_control: { type: 'ephemeral' } });
  });

  test('a history ending on a tool call gets a closing user turn with the synthetic result', async () => {
    const messages = await sent([userText('Read a.ts.'), call]);
    assert.equal(messages.length, 3);
    const last = messages[2];
    assert.ok(isJson(last) && last.role === 'user' && Array.isArray(last.content));
    assert.deepEqual(
      (last.content as unknown[]).map((block) => (isJson(block) ? [block.type, block.tool_use_id, block.is_error] : [])),
      [['tool_result', 'toolu_orphan', true]],
    );
  });

  test('a result whose call is gone is dropped', async () => {
    const messages = await sent([
      userText('Start.'),
      { role: 'assistant', content: [{ type: 'text', text: 'No tools needed.' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_ghost', content: 'x', isError: false }, { type: 'text', text: 'Next.' }] },
    ]);
    assert.deepEqual(messages[2], { role: 'user', content: [{ type: 'text', text: 'Next.', cache_control: { type: 'ephemeral' } }] });
    assert.ok(!JSON.stringify(messages).includes('toolu_ghost'));
  });
});
