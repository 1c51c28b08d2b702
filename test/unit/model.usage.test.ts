import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import type { Usage } from '../../src/agent/model/modelTypes';
import { costOf, defaultPrices, findPrice, isLocalEndpoint } from '../../src/agent/model/pricing';
import { runTurn } from '../../src/agent/model/turn';
import { UsageLedger, type CallRecord, type UsageEvent } from '../../src/agent/model/usageLedger';
import { anthropicFor, collect, fastPolicy, openaiFor, request, scenario, startServer } from './support/modelHarness';

const MILLION = 1_000_000;
const close = (actual: number | null, expected: number): void => {
  assert.ok(actual !== null, 'expected a cost, got null');
  assert.ok(Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

describe('usage mapping from the wire', () => {
  let server: FakeModelServer;
  const scripted = { content: [{ text: 'Counted.' }], usage: { inputTokens: 100, outputTokens: 20, cachedTokens: 900, cacheCreationTokens: 300 } };

  before(async () => {
    server = await startServer(scenario([scripted]));
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('OpenAI: cached_tokens are taken out of prompt_tokens and reported as cache reads', async () => {
    // The fake sends prompt_tokens = 100 + 900 + 300 = 1300 with cached_tokens = 900.
    const events = await collect(openaiFor(server).stream(request()));
    const usage = events.find((e) => e.type === 'usage');
    assert.ok(usage?.type === 'usage');
    assert.deepEqual(usage.usage, { inputTokens: 400, outputTokens: 20, cacheReadTokens: 900, cacheWriteTokens: 0 });
  });

  test('Anthropic: cache reads and cache writes are mapped separately from input', async () => {
    const events = await collect(anthropicFor(server).stream(request()));
    const usages = events.filter((e) => e.type === 'usage');
    assert.equal(usages.length, 1);
    assert.deepEqual(usages[0], { type: 'usage', usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 900, cacheWriteTokens: 300 } });
  });

  test('runTurn usage priced with the dated model id and recorded in the ledger', async () => {
    const model = 'claude-sonnet-4-5-20250929';
    const client = anthropicFor(server, { model });
    const turn = await runTurn(client, request(), { policy: fastPolicy });
    const cost = costOf(turn.usage, findPrice(client.model));
    // 100 in * $3 + 20 out * $15 + 900 read * $0.30 + 300 write * $3.75, per million.
    close(cost, (100 * 3 + 20 * 15 + 900 * 0.3 + 300 * 3.75) / MILLION);
    const events: UsageEvent[] = [];
    const ledger = new UsageLedger((e) => events.push(e));
    ledger.record({ role: 'worker', provider: client.provider, model, usage: turn.usage, costUsd: cost });
    assert.equal(events.length, 1);
    assert.deepEqual(ledger.totalsFor('worker').usage, turn.usage);
    assert.equal(ledger.totalsFor('orchestrator').calls, 0);
  });
});

describe('pricing', () => {
  test('dated snapshots find their family by the longest prefix', () => {
    assert.equal(findPrice('claude-sonnet-4-5-20250929'), defaultPrices['claude-sonnet-4-5']);
    assert.equal(findPrice('claude-opus-4-1-20250805'), defaultPrices['claude-opus-4-1']);
    assert.equal(findPrice('gpt-5-mini-2025-08-07'), defaultPrices['gpt-5-mini']);
    assert.equal(findPrice('o3-mini-2025-01-31'), defaultPrices['o3-mini'], 'o3-mini is not priced as o3');
    assert.equal(findPrice('gpt-4o-mini-2024-07-18'), defaultPrices['gpt-4o-mini']);
    assert.equal(findPrice('gpt-4o'), defaultPrices['gpt-4o']);
  });

  test('overrides win over the table, exact or by prefix; unknown models have no price', () => {
    const mine = { input: 1, output: 2 };
    assert.equal(findPrice('claude-sonnet-4-5', { 'claude-sonnet-4-5': mine }), mine);
    assert.equal(findPrice('claude-sonnet-4-5-20250929', { claude: mine }), mine);
    const local = { input: 0, output: 0 };
    assert.equal(findPrice('llama3.1:8b', { llama: local }), local);
    assert.equal(findPrice('llama3.1:8b'), undefined);
    assert.equal(findPrice('my-local-model'), undefined);
  });

  test('costOf: each bucket at its rate, missing cache rates fall back to input, unknown is null', () => {
    const usage: Usage = { inputTokens: MILLION, outputTokens: MILLION, cacheReadTokens: MILLION, cacheWriteTokens: MILLION };
    close(costOf(usage, findPrice('claude-sonnet-4-5')), 3 + 15 + 0.3 + 3.75);
    // OpenAI prices have no cache-write rate; writes (never reported by OpenAI) fall back to input.
    close(costOf(usage, findPrice('gpt-4o')), 2.5 + 10 + 1.25 + 2.5);
    close(costOf(usage, { input: 4, output: 8 }), 4 + 8 + 4 + 4);
    assert.equal(costOf(usage, undefined), null);
    assert.equal(costOf(usage, findPrice('unknown-model')), null);
  });

  test('isLocalEndpoint: loopback base URLs are free, others and vscode-lm are not', () => {
    assert.equal(isLocalEndpoint('openai', 'http://127.0.0.1:11434/v1'), true);
    assert.equal(isLocalEndpoint('openai', 'http://localhost:1234/v1'), true);
    assert.equal(isLocalEndpoint('openai', 'https://openrouter.ai/api/v1'), false);
    assert.equal(isLocalEndpoint('openai', undefined), false);
    assert.equal(isLocalEndpoint('vscode-lm', 'http://127.0.0.1:1'), false);
  });
});

describe('usage ledger', () => {
  const call = (role: CallRecord['role'], costUsd: number | null, input: number): CallRecord => ({
    role,
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    usage: { inputTokens: input, outputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 1 },
    costUsd,
  });

  test('totals per role and per run, unpriced calls counted apart', () => {
    const ledger = new UsageLedger();
    ledger.record(call('orchestrator', 0.5, 100));
    ledger.record(call('worker', 0.25, 40));
    ledger.record(call('worker', null, 60));
    assert.deepEqual(ledger.totals, {
      calls: 3,
      usage: { inputTokens: 200, outputTokens: 30, cacheReadTokens: 15, cacheWriteTokens: 3 },
      costUsd: 0.75,
      unpricedCalls: 1,
    });
    assert.deepEqual(ledger.totalsFor('orchestrator'), {
      calls: 1,
      usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 1 },
      costUsd: 0.5,
      unpricedCalls: 0,
    });
    assert.deepEqual(ledger.totalsFor('worker'), {
      calls: 2,
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 10, cacheWriteTokens: 2 },
      costUsd: 0.25,
      unpricedCalls: 1,
    });
  });

  test('one event per call, each a snapshot that later calls do not change', () => {
    const events: UsageEvent[] = [];
    const ledger = new UsageLedger((e) => events.push(e));
    const first = call('orchestrator', 0.5, 100);
    ledger.record(first);
    ledger.record(call('worker', 0.25, 40));
    assert.equal(events.length, 2);
    const [one, two] = events;
    assert.ok(one !== undefined && two !== undefined);
    assert.equal(one.type, 'usage/call');
    assert.equal(one.call, first);
    assert.equal(one.run.calls, 1);
    assert.equal(one.byRole.worker.calls, 0);
    assert.equal(two.run.calls, 2);
    assert.equal(two.run.costUsd, 0.75);
    assert.equal(two.byRole.orchestrator.calls, 1);
    assert.equal(two.byRole.worker.costUsd, 0.25);
  });
});
