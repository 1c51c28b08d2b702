import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import {
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  startFakeModelServer,
  type FakeModelServer,
  type ScenarioInput,
} from '../fake-model/index.js';
import { anthropicClient, openaiClient, rejection, SCENARIO_FIXTURES as FIXTURES } from './fakeModel.helpers.js';

const ROLES: ScenarioInput = {
  name: 'roles',
  onExhausted: 'error',
  roles: {
    planner: { match: { system: 'You are the planner' }, turns: ['plan 0', 'plan 1'] },
    worker: { match: [{ system: { regex: '^worker\\b', flags: 'i' } }, { lastUser: 'Edit ' }], turns: ['work 0'], onExhausted: 'repeatLast' },
    claudeOnly: { match: { provider: 'anthropic', model: { regex: '^claude-special' } }, turns: ['special'] },
    default: { turns: ['fallback'], onExhausted: 'repeatLast' },
  },
};

describe('fake model server: role and turn selection', () => {
  let server: FakeModelServer;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    server = await startFakeModelServer({ scenario: ROLES });
    openai = openaiClient(server);
    anthropic = anthropicClient(server);
  });
  after(() => server.close());
  beforeEach(() => {
    server.setScenario(ROLES);
    server.reset();
  });

  async function ask(system: string, userText: string, headers: Record<string, string> = {}): Promise<string | null> {
    const res = await openai.chat.completions.create(
      { model: 'gpt-fake', messages: [{ role: 'system', content: system }, { role: 'user', content: userText }] },
      { headers },
    );
    return res.choices[0]?.message.content ?? null;
  }

  test('roles come from system prompt substring, regex, last user message, then default', async () => {
    assert.equal(await ask('You are the planner of this repo.', 'go'), 'plan 0');
    assert.equal(await ask('WORKER mode', 'go'), 'work 0');
    assert.equal(await ask('You help.', 'Edit src/a.ts please'), 'work 0');
    assert.equal(await ask('You help.', 'hello'), 'fallback');
    assert.deepEqual(server.requests().map((r) => r.role), ['planner', 'worker', 'worker', 'default']);
  });

  test('the x-plumbline-role header wins over rules; unknown header values are ignored', async () => {
    assert.equal(await ask('You are the planner', 'go', { 'x-plumbline-role': 'worker' }), 'work 0');
    assert.equal(await ask('You are the planner', 'go', { 'x-plumbline-role': 'nobody' }), 'plan 0');
  });

  test('provider and model matchers (Anthropic request)', async () => {
    const msg = await anthropic.messages.create({ model: 'claude-special-1', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(msg.content, [{ type: 'text', text: 'special' }]);
    const other = await anthropic.messages.create({ model: 'claude-plain', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(other.content, [{ type: 'text', text: 'fallback' }]);
    assert.equal(await ask('x', 'y'), 'fallback', 'provider: anthropic rule does not catch OpenAI requests');
  });

  test('turns count per role from 0, independently', async () => {
    assert.equal(await ask('You are the planner', 'a'), 'plan 0');
    assert.equal(await ask('worker', 'a'), 'work 0');
    assert.equal(await ask('You are the planner', 'b'), 'plan 1');
    assert.deepEqual(
      server.requests().map((r) => [r.role, r.turn]),
      [['planner', 0], ['worker', 0], ['planner', 1]],
    );
    const res = await fetch(`${server.url}/_fake/state`);
    assert.deepEqual(((await res.json()) as { turns: unknown }).turns, { planner: 2, worker: 1 });
  });

  test('exhausted turns: "error" gives a clear 400, "repeatLast" repeats', async () => {
    await ask('You are the planner', 'a');
    await ask('You are the planner', 'b');
    const err = await rejection(ask('You are the planner', 'c'));
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.match(err.message, /role "planner" has no turn 2 \(scenario "roles" defines 2 turn\(s\), numbered from 0/);
    assert.equal(await ask('worker', 'a'), 'work 0');
    assert.equal(await ask('worker', 'b'), 'work 0');
  });

  test('no matching role and no default is a clear 400 on both wires', async () => {
    server.setScenario({ name: 'strict', roles: { planner: { match: { system: 'planner' }, turns: ['p'] } } });
    const err = await rejection(ask('nobody', 'x'));
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.match(err.message, /no role matched this request.*x-plumbline-role/);
    const aerr = await rejection(anthropic.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
    assert.ok(aerr instanceof Anthropic.BadRequestError);
    assert.match(aerr.message, /no role matched/);
  });

  test('an invalid request body is rejected with a 400 naming the problem', async () => {
    const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'x' }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /messages/);
  });

  test('setScenario restarts turn counters', async () => {
    assert.equal(await ask('You are the planner', 'a'), 'plan 0');
    server.setScenario(ROLES);
    assert.equal(await ask('You are the planner', 'a'), 'plan 0');
  });
});

describe('fake model server: control API', () => {
  let server: FakeModelServer;
  before(async () => {
    server = await startFakeModelServer({ scenario: join(FIXTURES, 'hello.json') });
  });
  after(() => server.close());

  test('scenario, requests and reset over HTTP', async () => {
    const client = openaiClient(server);
    const first = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.match(first.choices[0]?.message.content ?? '', /^Hello! I am the fake model/);

    const load = await fetch(`${server.url}/_fake/scenario`, { method: 'POST', body: JSON.stringify({ roles: { default: { turns: ['swapped'] } } }) });
    assert.equal(load.status, 200);
    const second = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(second.choices[0]?.message.content, 'swapped');

    const listed = (await (await fetch(`${server.url}/_fake/requests`)).json()) as { requests: Array<{ seq: number; path: string }> };
    assert.deepEqual(listed.requests.map((r) => [r.seq, r.path]), [[1, '/v1/chat/completions'], [2, '/v1/chat/completions']]);

    const bad = await fetch(`${server.url}/_fake/scenario`, { method: 'POST', body: JSON.stringify({ roles: { default: { turns: [] } } }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /at least one turn[\s\S]*roles\.default\.turns/);

    const reset = await fetch(`${server.url}/_fake/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(server.requests().length, 0);
  });

  test('an invalid fault injection is rejected', async () => {
    const res = await fetch(`${server.url}/_fake/fault`, { method: 'POST', body: JSON.stringify({ fault: { type: 'http' } }) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /needs a "status"/);
    assert.throws(() => server.injectFault({ type: 'explode' } as never), /Invalid discriminator|expected/i);
  });
});

describe('fake model scenario files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-model-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  test('every fixture scenario loads', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 3);
    for (const f of files) assert.ok(loadScenarioFile(join(FIXTURES, f)).name.length > 0, f);
  });

  test('a schema error names the file and the exact location', () => {
    const path = write('bad.json', JSON.stringify({ roles: { default: { turns: [{ content: [{ tool: 42 }] }] } } }));
    assert.throws(
      () => loadScenarioFile(path),
      (e: unknown) =>
        e instanceof ScenarioError &&
        e.message.includes(path) &&
        /roles\.default\.turns\[0\]\.content\[0\]\.tool/.test(e.message),
    );
  });

  test('unknown keys, bad fault types, bad regexes and bad JSON are all rejected clearly', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ roles: { default: { turns: ['x'], turn: [] } } }, /Unrecognized key: "turn"/],
      [{ roles: { default: { turns: [{ fault: { type: 'explode' } }] } } }, /turns\[0\]\.fault\.type/],
      [{ roles: { a: { match: { system: { regex: '(' } }, turns: ['x'] } } }, /invalid regex/],
      [{ roles: { a: { turns: [{ content: [{ txt: 'x' }] }] } } }, /a content item is/],
      [{ roles: {} }, /define at least one role/],
    ];
    for (const [value, pattern] of cases) {
      assert.throws(() => parseScenario(value, 'inline'), (e: unknown) => e instanceof ScenarioError && pattern.test(e.message), String(pattern));
    }
    const notJson = write('broken.json', '{ "roles": ');
    assert.throws(() => loadScenarioFile(notJson), /is not valid JSON/);
    assert.throws(() => loadScenarioFile(join(dir, 'missing.json')), /Cannot read fake-model scenario/);
  });

  test('startFakeModelServer rejects an invalid scenario file', async () => {
    const path = write('bad-start.json', JSON.stringify({ roles: { default: { turns: [{ stop: 'sideways' }] } } }));
    await assert.rejects(startFakeModelServer({ scenario: path }), (e: unknown) => e instanceof ScenarioError && /turns\[0\]\.stop/.test(e.message));
  });
});
