import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import type { ModelEvent } from '../../src/agent/model/modelTypes';
import { runTurn, truncationNotice } from '../../src/agent/model/turn';
import { clientFor, collect, fastPolicy, modelRequests, request, scenario, startServer, WIRES, type Turn } from './support/modelHarness';

const GREETING = 'Streaming works: this sentence arrives in several small deltas.';
const READ_ARGS = { path: 'src/deeply/nested/module.ts' };
const WRITE_ARGS = { path: 'notes/out.txt', content: 'a line long enough to be split across several chunks' };

const twoCalls: Turn = {
  content: [
    { text: 'Reading, then writing.' },
    { tool: 'read_file', arguments: READ_ARGS, id: 'call_read' },
    { tool: 'write_file', arguments: WRITE_ARGS, id: 'call_write' },
  ],
};

function textOf(events: readonly ModelEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
}

for (const wire of WIRES) {
  describe(`model layer streaming (${wire})`, () => {
    let server: FakeModelServer;

    before(async () => {
      server = await startServer();
    });
    after(() => server.close());
    beforeEach(() => server.reset());

    test('text arrives as several deltas, then one usage and one stop at the end', async () => {
      server.setScenario({ ...scenario([GREETING]), chunkChars: 6 });
      const events = await collect(clientFor(wire, server).stream(request()));
      const texts = events.filter((e) => e.type === 'text');
      assert.ok(texts.length >= 5, `expected several text deltas, got ${texts.length}`);
      assert.equal(textOf(events), GREETING);
      assert.deepEqual(events.slice(-2).map((e) => e.type), ['usage', 'stop']);
      assert.equal(events.filter((e) => e.type === 'usage').length, 1);
      const usage = events.at(-2);
      assert.ok(usage?.type === 'usage');
      assert.equal(usage.usage.outputTokens, Math.ceil(GREETING.length / 4));
      // Anthropic counts a prompt that ends at the rolling breakpoint as a cache write, not as input.
      assert.ok(usage.usage.inputTokens + usage.usage.cacheWriteTokens > 0);
      assert.deepEqual(events.at(-1), { type: 'stop', reason: 'end_turn' });
    });

    test('two tool calls with arguments split across chunks are assembled verbatim, in order', async () => {
      server.setScenario({ ...scenario([twoCalls]), chunkChars: 5 });
      const events = await collect(clientFor(wire, server).stream(request()));
      const calls = events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : []));
      // With 5 characters per delta both argument strings span many chunks.
      assert.ok(JSON.stringify(READ_ARGS).length > 10 && JSON.stringify(WRITE_ARGS).length > 10);
      assert.deepEqual(calls, [
        { type: 'tool_call', id: 'call_read', name: 'read_file', rawArguments: JSON.stringify(READ_ARGS) },
        { type: 'tool_call', id: 'call_write', name: 'write_file', rawArguments: JSON.stringify(WRITE_ARGS) },
      ]);
      assert.equal(textOf(events), 'Reading, then writing.');
      assert.deepEqual(events.at(-1), { type: 'stop', reason: 'tool_use' });
    });

    test('runTurn assembles the message and parses the calls', async () => {
      server.setScenario({ ...scenario([twoCalls]), chunkChars: 7 });
      const seen: ModelEvent['type'][] = [];
      const turn = await runTurn(clientFor(wire, server), request(), { policy: fastPolicy, onEvent: (e) => seen.push(e.type) });
      assert.equal(turn.text, 'Reading, then writing.');
      assert.equal(turn.stopReason, 'tool_use');
      assert.equal(turn.truncated, false);
      assert.deepEqual(turn.message, {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading, then writing.' },
          { type: 'tool_call', id: 'call_read', name: 'read_file', rawArguments: JSON.stringify(READ_ARGS) },
          { type: 'tool_call', id: 'call_write', name: 'write_file', rawArguments: JSON.stringify(WRITE_ARGS) },
        ],
      });
      assert.deepEqual(
        turn.toolCalls.map((c) => (c.ok ? { name: c.call.name, input: c.input } : c.error)),
        [
          { name: 'read_file', input: READ_ARGS },
          { name: 'write_file', input: WRITE_ARGS },
        ],
      );
      assert.ok(turn.usage.outputTokens > 0);
      assert.ok(seen.includes('text') && seen.includes('tool_call') && seen.includes('stop'));
    });

    test('malformed tool-call JSON: ok:false with an error the model can act on, nothing else fails', async () => {
      server.setScenario(scenario([{ content: [{ tool: 'read_file', arguments: READ_ARGS, id: 'call_bad' }] }]));
      server.injectFault({ type: 'malformed_arguments' });
      const turn = await runTurn(clientFor(wire, server), request(), { policy: fastPolicy });
      assert.equal(turn.toolCalls.length, 1);
      const [call] = turn.toolCalls;
      assert.ok(call !== undefined && !call.ok);
      assert.equal(call.call.rawArguments, `${JSON.stringify(READ_ARGS).slice(0, -1)},,}`);
      assert.match(call.error, /read_file/);
      assert.match(call.error, /not valid JSON/);
      assert.match(call.error, /nothing was run/);
      assert.equal(turn.truncated, false);
      assert.equal(modelRequests(server).length, 1);
    });

    test('empty arguments count as {}', async () => {
      server.setScenario(scenario([{ content: [{ tool: 'read_file', arguments: '', id: 'call_empty' }] }]));
      const turn = await runTurn(clientFor(wire, server), request(), { policy: fastPolicy });
      const [call] = turn.toolCalls;
      assert.ok(call?.ok === true);
      assert.deepEqual(call.input, {});
    });

    test('output limit hit inside a tool call: truncated, no calls to run, no tool_call part kept', async () => {
      server.setScenario(scenario([{ content: [{ text: 'Writing the file now.' }, { tool: 'write_file', arguments: WRITE_ARGS, id: 'call_cut' }] }]));
      server.injectFault({ type: 'truncate' });
      const turn = await runTurn(clientFor(wire, server), request(), { policy: fastPolicy });
      assert.equal(turn.truncated, true);
      assert.equal(turn.stopReason, 'max_tokens');
      assert.deepEqual(turn.toolCalls, []);
      assert.deepEqual(turn.message, { role: 'assistant', content: [{ type: 'text', text: 'Writing the file now.' }] });
      assert.match(truncationNotice, /output-token limit/);
      assert.equal(modelRequests(server).length, 1, 'a truncated answer is not retried');
    });

    test('a small maxOutputTokens cuts the call the same way (the server enforces the sent limit)', async () => {
      server.setScenario(scenario([{ content: [{ tool: 'write_file', arguments: WRITE_ARGS, id: 'call_long' }] }]));
      const turn = await runTurn(clientFor(wire, server), request({ maxOutputTokens: 5 }), { policy: fastPolicy });
      assert.equal(turn.truncated, true);
      assert.deepEqual(turn.toolCalls, []);
      assert.equal(turn.message.content.some((part) => part.type === 'tool_call'), false);
    });
  });
}
