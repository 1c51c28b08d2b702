import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import { listModels } from '../../src/agent/model/listModels';
import { modelErrorHint } from '../../src/cli/modelErrorHint';
import { closedPort, startServer } from './support/modelHarness';


describe("Configure Models' model list (GET <base>/models)", () => {
  let server: FakeModelServer;
  before(async () => {
    server = await startServer({ name: 'list', models: ['qwen2.5-coder:7b', 'llama3.1:8b'], roles: { default: { turns: ['ok'] } } });
  });
  after(() => server.close());

  test("lists an OpenAI-compatible server's models, sorted", async () => {
    assert.deepEqual(await listModels('openai', server.openaiBaseUrl, undefined, new AbortController().signal), { models: ['llama3.1:8b', 'qwen2.5-coder:7b'], error: null });
  });

  test('lists an Anthropic-style server from <base>/v1/models', async () => {
    assert.deepEqual((await listModels('anthropic', server.anthropicBaseUrl, 'sk-ant-test-key-000000', new AbortController().signal)).models, ['llama3.1:8b', 'qwen2.5-coder:7b']);
  });

  test('a server that is not there: no models, and why, naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const listed = await listModels('openai', url, undefined, new AbortController().signal);
    assert.deepEqual(listed.models, []);
    assert.match(listed.error ?? '', new RegExp(`Nothing is listening at ${url.replace(/[./]/g, '\\$&')}`));
  });

  test('a wrong path: the answer names the URL it asked', async () => {
    const listed = await listModels('openai', `${server.url}/nope`, undefined, new AbortController().signal);
    assert.deepEqual(listed.models, []);
    assert.match(listed.error ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/nope\/models answered 404/);
  });
});

describe("the CLI's way out of a model error", () => {
  test('names the flag or variable that sets what the message names', () => {
    assert.match(modelErrorHint({ provider: 'openai', kind: 'unreachable', url: 'http://localhost:11434/v1', setting: 'plumbline.worker.baseUrl', beforePlan: true }), /--base-url URL \(or set OPENAI_BASE_URL\).*plumbline doctor --ping/);
    assert.match(modelErrorHint({ provider: 'anthropic', kind: 'auth', url: 'https://api.anthropic.com', setting: null, beforePlan: false }), /set ANTHROPIC_API_KEY/);
    assert.match(modelErrorHint({ provider: 'openai', kind: 'not_found', url: 'http://localhost:11434/v1', setting: 'plumbline.orchestrator.model', beforePlan: true }), /--model and --worker-model/);
  });
});
