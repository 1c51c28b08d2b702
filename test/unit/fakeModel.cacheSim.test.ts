import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptCacheSim } from '../fake-model/cacheSim.js';
import type { PromptSegment } from '../fake-model/types.js';

const seg = (text: string, breakpoint = false): PromptSegment => ({ text, breakpoint });
const SYSTEM = 's'.repeat(400); // 100 tokens

describe('prompt cache simulation', () => {
  test('OpenAI: the first prompt is uncached, a repeat is fully cached', () => {
    const sim = new PromptCacheSim();
    const prompt = [seg(SYSTEM), seg('user question')];
    const first = sim.account('openai', 'm', prompt);
    assert.deepEqual(first, { uncachedInputTokens: 104, cacheReadTokens: 0, cacheCreationTokens: 0 });
    const again = sim.account('openai', 'm', prompt);
    assert.deepEqual(again, { uncachedInputTokens: 0, cacheReadTokens: 104, cacheCreationTokens: 0 });
  });

  test('OpenAI: a partial overlap rounds down to whole tokens; models are separate', () => {
    const sim = new PromptCacheSim();
    sim.account('openai', 'm', [seg(SYSTEM), seg('aaaa')]);
    const next = sim.account('openai', 'm', [seg(SYSTEM), seg('aaXX')]);
    // Shared: 400 chars + '\n' + 'aa' = 403 chars -> 100 whole tokens.
    assert.equal(next.cacheReadTokens, 100);
    assert.equal(sim.account('openai', 'other', [seg(SYSTEM), seg('aaaa')]).cacheReadTokens, 0);
  });

  test('Anthropic: nothing is cached without a breakpoint', () => {
    const sim = new PromptCacheSim();
    sim.account('anthropic', 'm', [seg(SYSTEM), seg('q')]);
    assert.deepEqual(sim.account('anthropic', 'm', [seg(SYSTEM), seg('q')]), {
      uncachedInputTokens: 101,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
    });
  });

  test('Anthropic: creation up to the breakpoint, then read; the rest is uncached input', () => {
    const sim = new PromptCacheSim();
    const first = sim.account('anthropic', 'm', [seg(SYSTEM, true), seg('question one')]);
    assert.deepEqual(first, { uncachedInputTokens: 4, cacheReadTokens: 0, cacheCreationTokens: 100 });
    const second = sim.account('anthropic', 'm', [seg(SYSTEM, true), seg('question two, longer')]);
    assert.deepEqual(second, { uncachedInputTokens: 6, cacheReadTokens: 100, cacheCreationTokens: 0 });
    // Moving the breakpoint later reads the old prefix and writes the new part.
    const third = sim.account('anthropic', 'm', [seg(SYSTEM), seg('question one', true), seg('next')]);
    assert.equal(third.cacheReadTokens, 100);
    assert.equal(third.cacheCreationTokens, 4);
    assert.equal(third.uncachedInputTokens, 1);
  });

  test('reset forgets everything', () => {
    const sim = new PromptCacheSim();
    sim.account('openai', 'm', [seg(SYSTEM)]);
    sim.reset();
    assert.equal(sim.account('openai', 'm', [seg(SYSTEM)]).cacheReadTokens, 0);
  });
});
