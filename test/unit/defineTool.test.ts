import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as z from 'zod';
import { defineTool, invokeTool, toolRegistry, toToolSpec } from '../../src/tools/defineTool';

const echo = defineTool({
  name: 'echo_text',
  description: 'Echoes text back.',
  input: z.object({ text: z.string().min(1), times: z.number().int().positive().optional() }).strict(),
  run: ({ text, times }) => Promise.resolve({ isError: false, content: text.repeat(times ?? 1) }),
});
const failing = defineTool({
  name: 'always_fails',
  description: 'Throws.',
  input: z.object({}),
  run: () => Promise.reject(new Error('disk on fire')),
});
const context = { signal: new AbortController().signal };

describe('tool definitions', () => {
  test('names must be snake_case', () => {
    assert.throws(() => defineTool({ ...echo, name: 'EchoText' }), /snake_case/);
  });

  test('the JSON Schema sent to models is derived from zod, without $schema noise', () => {
    const spec = toToolSpec(echo);
    assert.equal(spec.name, 'echo_text');
    assert.equal(spec.inputSchema.type, 'object');
    assert.deepEqual(spec.inputSchema.required, ['text']);
    assert.equal('$schema' in spec.inputSchema, false);
    assert.equal(spec.inputSchema.additionalProperties, false);
    assert.doesNotMatch(JSON.stringify(spec.inputSchema), /9007199254740991/, 'no safe-integer noise');
  });

  test('a field with a default is optional to the model', () => {
    const withDefault = defineTool({ ...echo, name: 'with_default', input: z.object({ text: z.string(), tags: z.array(z.string()).default([]) }) });
    assert.deepEqual(toToolSpec(withDefault).inputSchema.required, ['text']);
  });

  test('valid calls run; invalid input comes back as an error result naming the field', async () => {
    const tools = toolRegistry([echo, failing]);
    assert.deepEqual(await invokeTool(tools, 'echo_text', { text: 'ab', times: 2 }, context), { isError: false, content: 'abab' });
    const invalid = await invokeTool(tools, 'echo_text', { text: '', extra: 1 }, context);
    assert.equal(invalid.isError, true);
    assert.match(invalid.content, /Invalid input for echo_text/);
    assert.match(invalid.content, /text:/);
  });

  test('unknown tools and thrown errors never escape the loop', async () => {
    const tools = toolRegistry([echo, failing]);
    const unknown = await invokeTool(tools, 'rm_rf', {}, context);
    assert.equal(unknown.isError, true);
    assert.match(unknown.content, /Unknown tool "rm_rf".*echo_text, always_fails/);
    const thrown = await invokeTool(tools, 'always_fails', {}, context);
    assert.deepEqual(thrown, { isError: true, content: 'always_fails failed: disk on fire' });
  });

  test('duplicate names are refused', () => {
    assert.throws(() => toolRegistry([echo, echo]), /Two tools are named "echo_text"/);
  });
});
