import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index.js';
import { createModelClient } from '../../src/agent/model/createModelClient';
import { apiKeysFrom, keyFor, ModelConfigError, resolveEndpoint, type ApiKeys } from '../../src/agent/model/modelConfig';
import { runTurn } from '../../src/agent/model/turn';
import { plumblineSettingsSchema, type PlumblineSettings } from '../../src/protocol/settings';
import { bodyOf, FAKE_KEY, fastPolicy, modelRequests, request, scenario, startServer } from './support/modelHarness';

const settings = (value: unknown = {}): PlumblineSettings => plumblineSettingsSchema.parse(value);

function issues(value: unknown): { path: string; message: string }[] {
  const result = plumblineSettingsSchema.safeParse(value);
  assert.equal(result.success, false, 'expected the settings to be rejected');
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

function configError(fn: () => unknown): ModelConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ModelConfigError, `expected a ModelConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ModelConfigError');
}

describe('settings schema', () => {
  test('an empty object gives every default', () => {
    assert.deepEqual(settings(), {
      orchestrator: { provider: 'auto' },
      worker: { provider: 'auto' },
      reviewer: { provider: 'auto' },
      review: { mode: 'off' },
      escalation: true,
      openai: { headers: {} },
      anthropic: { headers: {}, thinkingBudgetTokens: 0 },
      maxOutputTokens: 8192,
      requestTimeoutSeconds: 60,
      verification: { timeoutSeconds: 600, maxAttempts: 3, parallel: 0 },
      askUser: { timeoutSeconds: 300 },
      commands: { allow: [], deny: [] },
      sandbox: { allowedHosts: [], environment: [], readablePaths: [], memoryMb: 0, maxProcesses: 4096 },
      budget: { maxCalls: 400, maxTokens: 0 },
      limits: { maxReplans: 10, maxReplansPerStep: 2, maxJournalMb: 64 },
      mcp: { allow: [] },
      prices: {},
    });
  });

  test('the sandbox settings refuse what is not a host, a variable name or a path', () => {
    assert.deepEqual(settings({ sandbox: { allowedHosts: ['registry.npmjs.org', '*.pythonhosted.org'], environment: ['DATABASE_URL'], readablePaths: ['~/tools', '/opt/sdk'], memoryMb: 4096 } }).sandbox, {
      allowedHosts: ['registry.npmjs.org', '*.pythonhosted.org'],
      environment: ['DATABASE_URL'],
      readablePaths: ['~/tools', '/opt/sdk'],
      memoryMb: 4096,
      maxProcesses: 4096,
    });
    for (const sandbox of [{ allowedHosts: ['https://x.org'] }, { allowedHosts: ['*'] }, { environment: ['A B'] }, { readablePaths: ['relative/path'] }, { memoryMb: -1 }, { maxProcesses: -1 }, { maxProcesses: 1.5 }]) {
      assert.equal(plumblineSettingsSchema.safeParse({ sandbox }).success, false, JSON.stringify(sandbox));
    }
  });

  test('empty strings mean unset; ordinary headers are kept', () => {
    const parsed = settings({ worker: { model: '', baseUrl: '' }, openai: { headers: { 'X-Title': 'Plumbline' }, apiKeyHeader: '' } });
    assert.equal(parsed.worker.model, undefined);
    assert.equal(parsed.worker.baseUrl, undefined);
    assert.equal(parsed.openai.apiKeyHeader, undefined);
    assert.deepEqual(parsed.openai.headers, { 'X-Title': 'Plumbline' });
  });

  for (const [section, header] of [
    ['openai', 'Authorization'],
    ['openai', 'api-key'],
    ['anthropic', 'X-Api-Key'],
    ['anthropic', 'authorization'],
  ] as const) {
    test(`a ${header} header in ${section}.headers is rejected: keys do not belong in settings`, () => {
      const found = issues({ [section]: { headers: { [header]: 'sk-secret-value-123' } } });
      assert.equal(found.length, 1);
      assert.equal(found[0]?.path, `${section}.headers`);
      assert.match(found[0]?.message ?? '', /API keys do not belong in settings/);
      assert.ok(!found[0]?.message.includes('sk-secret-value-123'));
    });
  }

  for (const baseUrl of ['not a url', 'ftp://models.example.com/v1', 'localhost:11434']) {
    test(`base URL ${JSON.stringify(baseUrl)} is rejected with the setting's path`, () => {
      assert.deepEqual(issues({ orchestrator: { baseUrl } }).map((i) => i.path), ['orchestrator.baseUrl']);
    });
  }

  test('out-of-range numbers and unknown enum values are rejected', () => {
    assert.deepEqual(issues({ maxOutputTokens: 10 }).map((i) => i.path), ['maxOutputTokens']);
    assert.deepEqual(issues({ worker: { provider: 'gemini' } }).map((i) => i.path), ['worker.provider']);
    assert.deepEqual(issues({ openai: { apiKeyHeader: 'api key' } }).map((i) => i.path), ['openai.apiKeyHeader']);
  });
});

describe('endpoint resolution', () => {
  const both: ApiKeys = { openai: 'sk-o', anthropic: 'sk-a' };

  test('apiKeysFrom trims and ignores blank values', () => {
    assert.deepEqual(apiKeysFrom({ OPENAI_API_KEY: '  sk-o  ', ANTHROPIC_API_KEY: '   ' }), { openai: 'sk-o', anthropic: undefined });
    assert.deepEqual(apiKeysFrom({}), { openai: undefined, anthropic: undefined });
  });

  test('auto prefers Anthropic, then OpenAI, then VS Code’s models; each with the role’s default model', () => {
    assert.deepEqual(resolveEndpoint(settings(), 'orchestrator', both, false), { role: 'orchestrator', provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: undefined });
    assert.deepEqual(resolveEndpoint(settings(), 'worker', both, false), { role: 'worker', provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: undefined });
    assert.equal(resolveEndpoint(settings(), 'orchestrator', { openai: 'sk-o' }, true).provider, 'openai');
    assert.equal(resolveEndpoint(settings(), 'worker', { openai: 'sk-o' }, false).model, 'gpt-5-mini');
    assert.deepEqual(resolveEndpoint(settings(), 'worker', {}, true), { role: 'worker', provider: 'vscode-lm', model: '', baseUrl: undefined });
  });

  test('the reviewer grades with the orchestrator\'s model unless it has a model (or another endpoint) of its own', () => {
    const both: ApiKeys = { openai: 'sk-o', anthropic: 'sk-a' };
    const local = 'http://localhost:11434/v1';
    assert.deepEqual(resolveEndpoint(settings(), 'reviewer', both, false), { role: 'reviewer', provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: undefined });
    // Configure Models writes every role's provider and base URL: the reviewer still follows the orchestrator's model.
    const configured = settings({ orchestrator: { provider: 'openai', model: 'qwen', baseUrl: local }, worker: { provider: 'openai', model: 'qwen-small', baseUrl: local }, reviewer: { provider: 'openai', baseUrl: local } });
    assert.deepEqual(resolveEndpoint(configured, 'reviewer', {}, false), { role: 'reviewer', provider: 'openai', model: 'qwen', baseUrl: local });
    assert.equal(resolveEndpoint(settings({ reviewer: { provider: 'openai', model: 'gpt-5.1' } }), 'reviewer', both, false).model, 'gpt-5.1');
    assert.deepEqual(resolveEndpoint(settings({ reviewer: { provider: 'openai' } }), 'reviewer', both, false), { role: 'reviewer', provider: 'openai', model: 'gpt-5.1', baseUrl: undefined });
  });

  test('auto with nothing available outside VS Code names both environment variables', () => {
    const error = configError(() => resolveEndpoint(settings(), 'orchestrator', {}, false));
    assert.match(error.message, /ANTHROPIC_API_KEY/);
    assert.match(error.message, /OPENAI_API_KEY/);
    assert.match(error.message, /base URL at a local server/);
  });

  test('base URLs from the environment apply when the settings name none', () => {
    const env = { openai: 'https://proxy.example.com/v1', anthropic: 'https://gateway.example.com' };
    assert.equal(resolveEndpoint(settings(), 'worker', { openai: 'sk-o' }, false, env).baseUrl, 'https://proxy.example.com/v1');
    assert.equal(resolveEndpoint(settings(), 'worker', both, false, env).baseUrl, 'https://gateway.example.com');
    assert.equal(resolveEndpoint(settings({ worker: { baseUrl: 'https://mine.example.com/v1' } }), 'worker', both, false, env).baseUrl, 'https://mine.example.com/v1');
    assert.equal(resolveEndpoint(settings(), 'worker', {}, true, env).baseUrl, undefined);
  });

  test('auto with a local base URL is OpenAI-compatible and needs no key', () => {
    for (const baseUrl of ['http://127.0.0.1:11434/v1', 'http://localhost:1234/v1']) {
      const endpoint = resolveEndpoint(settings({ worker: { baseUrl } }), 'worker', { anthropic: 'sk-a' }, false);
      assert.deepEqual(endpoint, { role: 'worker', provider: 'openai', model: 'gpt-5-mini', baseUrl });
      assert.equal(keyFor(endpoint, {}), 'not-needed');
    }
  });

  test('auto with no keys and a local OPENAI_BASE_URL uses that server (Ollama, LM Studio)', () => {
    const endpoint = resolveEndpoint(settings(), 'orchestrator', {}, false, { openai: 'http://localhost:11434/v1' });
    assert.deepEqual(endpoint, { role: 'orchestrator', provider: 'openai', model: 'gpt-5.1', baseUrl: 'http://localhost:11434/v1' });
    assert.equal(keyFor(endpoint, {}), 'not-needed');
    // A remote OPENAI_BASE_URL without any key is still "not configured".
    assert.throws(() => resolveEndpoint(settings(), 'orchestrator', {}, false, { openai: 'https://proxy.example.com/v1' }), /No model provider is configured/);
  });

  test('an explicit provider and model are kept; a missing key names its environment variable', () => {
    const openai = resolveEndpoint(settings({ orchestrator: { provider: 'openai', model: 'gpt-4.1' } }), 'orchestrator', { anthropic: 'sk-a' }, false);
    assert.deepEqual(openai, { role: 'orchestrator', provider: 'openai', model: 'gpt-4.1', baseUrl: undefined });
    assert.match(configError(() => keyFor(openai, { anthropic: 'sk-a' })).message, /OPENAI_API_KEY/);
    const remote = resolveEndpoint(settings({ worker: { provider: 'openai', baseUrl: 'https://openrouter.ai/api/v1' } }), 'worker', {}, false);
    assert.match(configError(() => keyFor(remote, {})).message, /OPENAI_API_KEY/);
    const anthropic = resolveEndpoint(settings({ worker: { provider: 'anthropic' } }), 'worker', { openai: 'sk-o' }, false);
    const error = configError(() => keyFor(anthropic, { openai: 'sk-o' }));
    assert.match(error.message, /ANTHROPIC_API_KEY/);
    assert.match(error.message, /Anthropic/);
    assert.equal(keyFor(anthropic, both), 'sk-a');
  });
});

describe('settings flow into the real clients', () => {
  let server: FakeModelServer;

  before(async () => {
    server = await startServer(scenario(['Fine.']));
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('OpenAI: base URL, model, api-key header, extra headers and reasoning effort', async () => {
    const s = settings({
      orchestrator: { provider: 'openai', model: 'gpt-fake', baseUrl: server.openaiBaseUrl },
      openai: { apiKeyHeader: 'api-key', headers: { 'X-Title': 'Plumbline' }, reasoningEffort: 'high' },
    });
    const keys: ApiKeys = { openai: FAKE_KEY };
    const client = createModelClient(resolveEndpoint(s, 'orchestrator', keys, false), s, keys);
    await runTurn(client, request(), { policy: fastPolicy });
    const [sent] = modelRequests(server);
    assert.equal(sent?.provider, 'openai');
    const body = bodyOf(sent);
    assert.equal(body.model, 'gpt-fake');
    assert.equal(body.reasoning_effort, 'high');
    assert.equal(sent?.headers['api-key'], '***');
    assert.equal(sent?.headers['x-title'], 'Plumbline');
    assert.equal(sent?.headers.authorization, undefined);
  });

  test('Anthropic: base URL, model and thinking budget', async () => {
    const s = settings({ worker: { provider: 'anthropic', model: 'claude-fake', baseUrl: server.anthropicBaseUrl }, anthropic: { thinkingBudgetTokens: 1024 } });
    const keys: ApiKeys = { anthropic: FAKE_KEY };
    const client = createModelClient(resolveEndpoint(s, 'worker', keys, false), s, keys);
    await runTurn(client, request({ maxOutputTokens: 4096 }), { policy: fastPolicy });
    const [sent] = modelRequests(server);
    assert.equal(sent?.provider, 'anthropic');
    // This SDK version sends the key as a Bearer token; older ones used x-api-key. Either way it is masked.
    assert.ok(sent?.headers.authorization === 'Bearer ***' || sent?.headers['x-api-key'] === '***', 'the key was sent');
    const body = bodyOf(sent);
    assert.equal(body.model, 'claude-fake');
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 1024 });
  });

  test('vscode-lm without a VS Code factory is a clear configuration error', () => {
    const s = settings();
    const error = configError(() => createModelClient(resolveEndpoint(s, 'worker', {}, true), s, {}));
    assert.match(error.message, /inside VS Code/);
  });
});
