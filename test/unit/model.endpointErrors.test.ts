import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import { createModelClient } from '../../src/agent/model/createModelClient';
import { baseUrlHint, endpointRef, refineModelError } from '../../src/agent/model/endpointErrors';
import type { ResolvedEndpoint } from '../../src/agent/model/modelConfig';
import { describeModelError, ModelError, modelProblem } from '../../src/agent/model/modelErrors';
import { pingModel } from '../../src/agent/model/ping';
import { runTurn } from '../../src/agent/model/turn';
import { plumblineSettingsSchema } from '../../src/protocol/settings';
import { closedPort, FAKE_KEY, failure, fastPolicy, request, scenario, startServer, WIRES, type Wire } from './support/modelHarness';

const settings = plumblineSettingsSchema.parse({});
const keys = { openai: FAKE_KEY, anthropic: FAKE_KEY };


/** Counts the TCP connections Node's fetch (both SDKs use it) opens to `port`. */
function countConnections(port: number): { readonly count: () => number; readonly stop: () => void } {
  let attempts = 0;
  const listener = (message: unknown): void => {
    const params = (message as { connectParams?: { port?: unknown } }).connectParams;
    if (String(params?.port) === String(port)) attempts += 1;
  };
  dc.subscribe('undici:client:beforeConnect', listener);
  return { count: () => attempts, stop: () => dc.unsubscribe('undici:client:beforeConnect', listener) };
}

function endpoint(wire: Wire, baseUrl: string, role: 'orchestrator' | 'worker' = 'worker'): ResolvedEndpoint {
  return { role, provider: wire, model: wire === 'openai' ? 'gpt-fake' : 'claude-fake', baseUrl };
}

for (const wire of WIRES) {
  describe(`model errors name the provider, the URL and the setting (${wire})`, () => {
    let server: FakeModelServer;
    before(async () => {
      server = await startServer(scenario(['Never seen.']));
    });
    after(() => server.close());

    test('connection refused at a loopback URL fails at once: one connection attempt, no retry', async () => {
      const port = await closedPort();
      const url = wire === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
      const client = createModelClient(endpoint(wire, url), settings, keys);
      const connections = countConnections(port);
      const retries: unknown[] = [];
      try {
        const error = await failure(runTurn(client, request(), { policy: fastPolicy, hooks: { onRetry: (notice) => retries.push(notice) } }));
        assert.equal(error.kind, 'unreachable');
        assert.equal(error.retryable, false);
        assert.equal(connections.count(), 1, 'one connection attempt, not one per retry');
        assert.deepEqual(retries, []);
        const text = describeModelError(error);
        assert.match(text, new RegExp(`Nothing is listening at http://127\\.0\\.0\\.1:${port}`));
        assert.match(text, /is the server running\?/);
        assert.match(text, /plumbline\.worker\.baseUrl/);
        assert.match(text, /Configure Models/);
        assert.deepEqual(modelProblem(error, true), { provider: wire, kind: 'unreachable', url, setting: 'plumbline.worker.baseUrl', beforePlan: true });
      } finally {
        connections.stop();
      }
    });

    test('a base URL with the wrong path: the 404 says the URL is wrong and how, not just "not found"', async () => {
      const url = wire === 'openai' ? `${server.url}/api` : `${server.url}/v1`;
      const error = await failure(runTurn(createModelClient(endpoint(wire, url, 'orchestrator'), settings, keys), request(), { policy: fastPolicy }));
      assert.equal(error.status, 404);
      const text = describeModelError(error);
      assert.match(text, new RegExp(`at ${url.replace(/[./]/g, '\\$&')}:`));
      assert.match(text, wire === 'openai' ? /probably lacks \/v1.*try http:\/\/127\.0\.0\.1:\d+\/api\/v1/ : /probably has an extra \/v1/);
      assert.match(text, /Change plumbline\.orchestrator\.baseUrl/);
      assert.equal(modelProblem(error, false).setting, 'plumbline.orchestrator.baseUrl');
    });

    test('an invalid key names the key variable and Configure Models, never the key', async () => {
      server.injectFault({ type: 'invalid_api_key', message: `bad key ${FAKE_KEY}` });
      const url = wire === 'openai' ? server.openaiBaseUrl : server.anthropicBaseUrl;
      const error = await failure(runTurn(createModelClient(endpoint(wire, url), settings, keys), request(), { policy: fastPolicy }));
      const text = describeModelError(error);
      assert.match(text, new RegExp(wire === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'));
      assert.match(text, /Configure Models/);
      assert.ok(!text.includes(FAKE_KEY));
    });

    test('the ping (doctor --ping, Test Connection) reports the same named error', async () => {
      const port = await closedPort();
      const url = wire === 'openai' ? `http://localhost:${port}/v1` : `http://localhost:${port}`;
      const result = await pingModel(createModelClient(endpoint(wire, url), settings, keys), new AbortController().signal);
      assert.equal(result.ok, false);
      assert.match(result.error ?? '', new RegExp(`Nothing is listening at http://localhost:${port}`));
      assert.ok(result.latencyMs < 5000, `the ping took ${result.latencyMs} ms`);
    });
  });
}

describe('what only the URL can tell', () => {
  const ref = (url: string) => endpointRef({ role: 'worker', provider: 'openai', model: 'qwen', baseUrl: url });

  test('a refused loopback port names the usual local server', () => {
    const refused = new ModelError('connection', 'openai', 'Could not connect (ECONNREFUSED): Connection error.', undefined, undefined, 'ECONNREFUSED');
    assert.match(describeModelError(refineModelError(refused, ref('http://localhost:11434/v1'))), /Nothing is listening at http:\/\/localhost:11434\/v1 \(is Ollama running\?\)/);
    assert.match(describeModelError(refineModelError(refused, ref('http://127.0.0.1:1234/v1'))), /is LM Studio running\?/);
    // Away from loopback a refusal may be a passing blip: it stays retryable.
    assert.equal(refineModelError(refused, ref('https://llm.example.com/v1')).retryable, true);
  });

  test('a 405 from a URL without /v1 says it probably lacks /v1', () => {
    const error = refineModelError(new ModelError('invalid_request', 'openai', 'HTTP 405: 405 Unsupported method POST', 405), ref('http://localhost:1234'));
    const text = describeModelError(error);
    assert.match(text, /^OpenAI-compatible server at http:\/\/localhost:1234: HTTP 405/);
    assert.match(text, /probably lacks \/v1.*try http:\/\/localhost:1234\/v1/);
    assert.match(text, /plumbline\.worker\.baseUrl \(http:\/\/localhost:1234\)/);
  });

  test('a 404 about the model points at the model setting, not the URL', () => {
    const error = refineModelError(new ModelError('not_found', 'openai', 'HTTP 404: model "qwen" not found, try pulling it first', 404), ref('http://localhost:11434/v1'));
    assert.match(describeModelError(error), /check plumbline\.worker\.model \(qwen\)/);
    assert.equal(modelProblem(error, true).setting, 'plumbline.worker.model');
  });

  test('base URL hints: missing, doubled and trailing parts', () => {
    assert.match(baseUrlHint('openai', 'http://localhost:8000') ?? '', /lacks \/v1.*try http:\/\/localhost:8000\/v1\)/);
    assert.match(baseUrlHint('openai', 'http://localhost:8000/v1/v1') ?? '', /extra \/v1 \(try http:\/\/localhost:8000\/v1\)/);
    assert.match(baseUrlHint('openai', 'http://localhost:8000/v1/chat/completions') ?? '', /extra \/chat\/completions.*try http:\/\/localhost:8000\/v1\)/);
    assert.match(baseUrlHint('anthropic', 'https://proxy.example.com/v1') ?? '', /extra \/v1.*try https:\/\/proxy\.example\.com\)/);
    assert.equal(baseUrlHint('anthropic', 'https://api.anthropic.com'), undefined);
  });

  test('no base URL configured: the provider\'s own URL is named', () => {
    const error = new ModelError('timeout', 'openai', 'The request timed out.').at(endpointRef({ role: 'orchestrator', provider: 'openai', model: 'gpt-5.1', baseUrl: undefined }));
    assert.match(describeModelError(error), /^OpenAI \(or the OpenAI-compatible server\) at https:\/\/api\.openai\.com\/v1: The request timed out\. .*plumbline\.orchestrator\.baseUrl \(empty/);
  });
});
