/**
 * Cache discipline: a simulated run (one orchestrator, two workers, interleaved) through the real SDK
 * clients, checked on the recorded request bodies. Prompt caches key on an exact prefix, so every
 * request of a role must start with the same bytes (tools, system, stable context, parameters) and
 * every request of a conversation must start with exactly the messages of its previous request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeModelServer, ScenarioInput } from '../fake-model/index.js';
import type { ModelClient, ModelMessage, Usage } from '../../src/agent/model/modelTypes';
import { runTurn } from '../../src/agent/model/turn';
import type { ToolSpec } from '../../src/tools/defineTool';
import { anthropicFor, arrayAt, bodyOf, fastPolicy, isJson, modelRequests, openaiFor, readFileTool, request, startServer, TOOLS, userText, WIRES, type Json, type Wire } from './support/modelHarness';

const ORCHESTRATOR = 'You are the orchestrator. Plan the change, delegate edits, verify with tests.';
const WORKER = 'You are a worker. Edit only the files you are given, then report.';
const RULES = 'Project rules: TypeScript strict mode; run npm test after every edit.';
const PLAN = 'Plan:\n1. Rename add to sum in src/math.ts.\n2. Update the callers.';

const run: ScenarioInput = {
  name: 'model-prefix',
  roles: {
    orchestrator: {
      match: { system: 'You are the orchestrator' },
      turns: [
        { content: [{ thinking: 'Read the code before planning.' }, { text: 'Reading.' }, { tool: 'read_file', arguments: { path: 'src/math.ts' } }] },
        { content: [{ tool: 'read_file', arguments: { path: 'src/main.ts' } }] },
        'Plan complete.',
      ],
    },
    worker: {
      match: { system: 'You are a worker' },
      // Workers a and b alternate, so turns 2n and 2n+1 are the same step for each.
      turns: [
        { content: [{ tool: 'read_file', arguments: { path: 'src/math.ts' } }] },
        { content: [{ tool: 'read_file', arguments: { path: 'src/main.ts' } }] },
        { content: [{ text: 'Editing.' }, { tool: 'write_file', arguments: { path: 'src/math.ts', content: 'export const sum = 1;\n' } }] },
        { content: [{ text: 'Editing.' }, { tool: 'write_file', arguments: { path: 'src/main.ts', content: 'sum();\n' } }] },
        'Done.',
        'Done.',
      ],
    },
  },
};

interface Conversation {
  readonly name: 'orchestrator' | 'worker-a' | 'worker-b';
  readonly system: string;
  readonly stableContext: string;
  readonly tools: readonly ToolSpec[];
  messages: ModelMessage[];
}

interface Sent {
  readonly conversation: Conversation['name'];
  readonly role: string | null;
  readonly body: Json;
  readonly usage: Usage;
}

async function simulate(client: ModelClient, server: FakeModelServer): Promise<Sent[]> {
  const conversations: Conversation[] = [
    { name: 'orchestrator', system: ORCHESTRATOR, stableContext: RULES, tools: [readFileTool], messages: [userText('Rename add to sum everywhere.')] },
    { name: 'worker-a', system: WORKER, stableContext: `${RULES}\n\n${PLAN}`, tools: TOOLS, messages: [userText('Edit src/math.ts: rename add to sum.')] },
    { name: 'worker-b', system: WORKER, stableContext: `${RULES}\n\n${PLAN}`, tools: TOOLS, messages: [userText('Edit src/main.ts: call sum.')] },
  ];
  const sent: Sent[] = [];
  for (let round = 0; round < 3; round++) {
    for (const c of conversations) {
      const turn = await runTurn(client, request({ system: c.system, stableContext: c.stableContext, tools: c.tools, messages: c.messages, maxOutputTokens: 4096 }), {
        policy: fastPolicy,
      });
      const recorded = modelRequests(server);
      assert.equal(recorded.length, sent.length + 1, 'one request per turn');
      sent.push({ conversation: c.name, role: recorded.at(-1)?.role ?? null, body: bodyOf(recorded.at(-1)), usage: turn.usage });
      const answer: ModelMessage =
        turn.toolCalls.length > 0
          ? { role: 'user', content: turn.toolCalls.map((t) => ({ type: 'tool_result', toolCallId: t.call.id, content: `result for ${c.name}`, isError: false })) }
          : userText('Continue.');
      c.messages = [...c.messages, turn.message, answer];
    }
  }
  return sent;
}

/** Everything that precedes the conversation: all parameters, tools, system (and OpenAI's leading system messages). */
function prefixOf(wire: Wire, body: Json): string {
  const { messages, ...rest } = body;
  const leading = wire === 'openai' && Array.isArray(messages) ? messages.slice(0, messages.findIndex((m) => isJson(m) && m.role !== 'system')) : [];
  return JSON.stringify({ ...rest, leading });
}

function conversationOf(wire: Wire, body: Json): unknown[] {
  const messages = arrayAt(body, 'messages');
  return wire === 'openai' ? messages.filter((m) => isJson(m) && m.role !== 'system') : messages;
}

/** The rolling Anthropic breakpoint: removed from the last block of `message`, which must carry it. */
function withoutRollingMarker(message: unknown): unknown {
  assert.ok(isJson(message) && Array.isArray(message.content), 'message with block content');
  const blocks = message.content as unknown[];
  const last = blocks.at(-1);
  assert.ok(isJson(last) && 'cache_control' in last, 'the newest block carries the rolling breakpoint');
  const { cache_control: _marker, ...bare } = last;
  return { ...message, content: [...blocks.slice(0, -1), bare] };
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const EPOCH_MS = /\b1[6-9]\d{11}\b/;

for (const wire of WIRES) {
  describe(`prefix stability across a run (${wire})`, () => {
    let server: FakeModelServer;
    let sent: Sent[];

    before(async () => {
      server = await startServer(run);
      const client = wire === 'openai' ? openaiFor(server) : anthropicFor(server, { thinkingBudgetTokens: 1024 });
      sent = await simulate(client, server);
    });
    after(() => server.close());

    test('the run went as scripted: 3 orchestrator and 6 worker requests', () => {
      assert.deepEqual(
        sent.map((s) => `${s.conversation}:${s.role}`),
        Array.from({ length: 3 }, () => ['orchestrator:orchestrator', 'worker-a:worker', 'worker-b:worker']).flat(),
      );
    });

    test('every request of a role has a byte-identical prefix (tools, system, stable context, parameters)', () => {
      for (const role of ['orchestrator', 'worker']) {
        const prefixes = new Set(sent.filter((s) => s.role === role).map((s) => prefixOf(wire, s.body)));
        assert.equal(prefixes.size, 1, `${role} requests differ before the conversation`);
      }
      // And the roles really differ, so the check above compares something.
      assert.notEqual(prefixOf(wire, sent[0]!.body), prefixOf(wire, sent[1]!.body));
    });

    test('each request extends the previous request of its conversation exactly', () => {
      for (const name of ['orchestrator', 'worker-a', 'worker-b'] as const) {
        const bodies = sent.filter((s) => s.conversation === name).map((s) => conversationOf(wire, s.body));
        for (let i = 1; i < bodies.length; i++) {
          const previous = bodies[i - 1]!;
          const current = bodies[i]!;
          assert.equal(current.length, previous.length + 2, 'assistant answer plus tool results appended');
          // Anthropic exception: the previous request's newest block carried the rolling cache_control
          // marker; in the next request that message is no longer the newest, so the marker moves on.
          // Everything else, including the message that carried it, is identical.
          const expected = wire === 'anthropic' ? [...previous.slice(0, -1), withoutRollingMarker(previous.at(-1))] : previous;
          assert.equal(JSON.stringify(current.slice(0, previous.length)), JSON.stringify(expected), `${name} request ${i + 1} rewrote its history`);
          if (wire === 'anthropic') withoutRollingMarker(current.at(-1));
        }
      }
    });

    test('no timestamps, uuids or clock values before the conversation', () => {
      for (const s of sent) {
        const prefix = prefixOf(wire, s.body);
        for (const volatile of [ISO_TIME, UUID, EPOCH_MS]) assert.doesNotMatch(prefix, volatile);
      }
    });

    test('so the cache is read: every request after a role’s first reads the shared prefix', () => {
      const [first, ...rest] = sent;
      assert.equal(first?.usage.cacheReadTokens, 0);
      for (const s of rest) assert.ok(s.usage.cacheReadTokens > 0, `${s.conversation} read nothing from the cache`);
      // The orchestrator's later requests read at least all of its previous prompt.
      const orchestrator = sent.filter((s) => s.conversation === 'orchestrator');
      for (let i = 1; i < orchestrator.length; i++) {
        const previous = orchestrator[i - 1]!.usage;
        const whole = previous.inputTokens + previous.cacheReadTokens + previous.cacheWriteTokens;
        assert.ok(orchestrator[i]!.usage.cacheReadTokens >= whole - 2, `read ${orchestrator[i]!.usage.cacheReadTokens} of ${whole}`);
      }
    });
  });
}
