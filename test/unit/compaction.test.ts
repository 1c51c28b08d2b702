import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contextWindowOf } from '../../src/agent/model/contextWindows';
import type { ModelMessage } from '../../src/agent/model/modelTypes';
import { compactedMark, ConversationCompactor, summarizeResult } from '../../src/agent/run/compaction';

const brief: ModelMessage = { role: 'user', content: [{ type: 'text', text: '<step id="s1">Read the notes.</step>' }] };

function conversation(reads: number, size = 4000): ModelMessage[] {
  const messages: ModelMessage[] = [brief];
  for (let index = 0; index < reads; index++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: 'Reading.' }, { type: 'tool_call', id: `c${String(index)}`, name: 'read_file', rawArguments: JSON.stringify({ path: `notes/n${String(index)}.txt` }) }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', toolCallId: `c${String(index)}`, content: `<file path="notes/n${String(index)}.txt" lines="1-50" total="50">\n${'x'.repeat(size)}\n</file>`, isError: false }] });
  }
  messages.push({ role: 'user', content: [{ type: 'text', text: 'Verification failed: keep this feedback.' }] });
  return messages;
}

const shape = (messages: ModelMessage[]) => ({ system: 'You are a worker.', tools: [], messages });

describe('compaction', () => {
  test('the table knows current models; a setting overrides it; unknown models have no window', () => {
    assert.equal(contextWindowOf('claude-sonnet-4-5-20250929'), 200_000);
    assert.equal(contextWindowOf('gpt-4.1-mini'), 1_047_576);
    assert.equal(contextWindowOf('gpt-4o-2024-08-06'), 128_000);
    assert.equal(contextWindowOf('openai/gpt-5-mini'), 400_000);
    assert.equal(contextWindowOf('llama3.1:8b'), undefined);
    assert.equal(contextWindowOf('llama3.1:8b', 32_768), 32_768);
  });

  test('old tool results become summaries; the brief, user texts and every call/result pair stay', () => {
    const messages = conversation(16);
    const before = structuredClone(messages);
    const compactor = new ConversationCompactor(() => 16_000);
    const fit = compactor.fit(shape(messages), 'm');
    assert.equal(fit.kind, 'compacted');
    assert.ok(fit.kind === 'compacted' && fit.report.afterTokens <= 8000 && fit.report.beforeTokens > 12_800, JSON.stringify(fit));
    assert.deepEqual(messages[0], before[0], 'the brief is untouched');
    assert.deepEqual(messages.at(-1), before.at(-1), 'user text is untouched');
    assert.equal(messages.length, before.length, 'no message is dropped');
    const calls = messages.flatMap((message) => (message.role === 'assistant' ? message.content.flatMap((part) => (part.type === 'tool_call' ? [part.id] : [])) : []));
    const results = messages.flatMap((message) => (message.role === 'user' ? message.content.flatMap((part) => (part.type === 'tool_result' ? [part.toolCallId] : [])) : []));
    assert.deepEqual(results, calls, 'every call keeps its result, in order');
    const first = messages[2];
    assert.ok(first?.role === 'user' && first.content[0]?.type === 'tool_result');
    assert.equal(first.content[0].content, `${compactedMark} read_file notes/n0.txt: lines 1-50 of 50 were shown here (dropped to fit the context window; read the file again if you need them).`);
    const latest = messages.at(-2);
    assert.ok(latest?.role === 'user' && latest.content[0]?.type === 'tool_result' && !latest.content[0].content.startsWith(compactedMark), 'the latest result is kept');
  });

  test('the window is the one of the model each request goes to (an escalation to another model is measured anew)', () => {
    const windows: Record<string, number> = { small: 16_000, large: 200_000 };
    const compactor = new ConversationCompactor((model) => windows[model]);
    assert.equal(compactor.fit(shape(conversation(16)), 'large').kind, 'fits');
    assert.equal(compactor.fit(shape(conversation(16)), 'small').kind, 'compacted');
  });

  test('the estimate follows the provider\'s count', () => {
    const compactor = new ConversationCompactor(() => 1_000_000);
    const messages = conversation(2);
    const fit = compactor.fit(shape(messages), 'm');
    assert.ok(fit.kind === 'fits');
    compactor.observe({ inputTokens: fit.tokens * 2, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
    const again = compactor.fit(shape(messages), 'm');
    assert.ok(again.kind === 'fits' && Math.abs(again.tokens - fit.tokens * 2) <= 1, `${String(fit.tokens)} → ${String(again.kind === 'fits' ? again.tokens : -1)}`);
  });

  test('a conversation that cannot fit says so', () => {
    const messages: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'y'.repeat(40_000) }] }];
    const fit = new ConversationCompactor(() => 8000).fit(shape(messages), 'small-model');
    assert.equal(fit.kind, 'too_large');
    assert.match(fit.kind === 'too_large' ? fit.reason : '', /even after compaction, more than 80% of small-model's context window of 8000 tokens/);
  });

  test('summaries say what was read, changed or failed, in a line', () => {
    const call = (name: string, args: object) => ({ type: 'tool_call' as const, id: 'c', name, rawArguments: JSON.stringify(args) });
    assert.equal(summarizeResult(call('edit_file', { path: 'a.ts' }), 'Applied 2 of 2 hunks to a.ts.\nmore', false), `${compactedMark} edit_file a.ts: Applied 2 of 2 hunks to a.ts.`);
    assert.equal(summarizeResult(call('run_command', { command: 'npm test' }), 'exit code 1\n...', true), `${compactedMark} run_command failed: exit code 1`);
  });
});
