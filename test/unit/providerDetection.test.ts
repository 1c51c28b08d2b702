import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectProviders, providerEnvironmentFrom } from '../../src/agent/providerDetection';

describe('provider detection', () => {
  test('reports presence and source of keys, never their values', () => {
    const statuses = detectProviders(
      { OPENAI_API_KEY: 'sk-live-secret-value', ANTHROPIC_API_KEY: '' },
      false,
    );
    const openai = statuses.find((status) => status.id === 'openai');
    const anthropic = statuses.find((status) => status.id === 'anthropic');
    assert.equal(openai?.keyPresent, true);
    assert.equal(openai?.keySource, 'env:OPENAI_API_KEY');
    assert.equal(anthropic?.keyPresent, false, 'an empty variable is not a key');
    assert.doesNotMatch(JSON.stringify(statuses), /sk-live-secret-value/);
  });

  test('keys the extension passed from SecretStorage are reported as such', () => {
    const statuses = detectProviders({ OPENAI_API_KEY: 'a', ANTHROPIC_API_KEY: 'b', PLUMBLINE_SECRET_STORAGE_KEYS: 'anthropic' }, true);
    assert.equal(statuses.find((s) => s.id === 'anthropic')?.keySource, 'VS Code SecretStorage');
    assert.equal(statuses.find((s) => s.id === 'openai')?.keySource, 'env:OPENAI_API_KEY');
  });

  test('base URLs default to the public endpoints and follow the environment', () => {
    const defaults = detectProviders({}, false);
    assert.equal(defaults.find((s) => s.id === 'openai')?.baseUrl, 'https://api.openai.com/v1');
    const custom = detectProviders({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, false);
    assert.equal(custom.find((s) => s.id === 'openai')?.baseUrl, 'http://127.0.0.1:11434/v1');
  });

  test("VS Code's models are described by where the engine runs", () => {
    assert.match(detectProviders({}, true).find((s) => s.id === 'vscode-lm')?.note ?? '', /no key needed/);
    assert.match(detectProviders({}, false).find((s) => s.id === 'vscode-lm')?.note ?? '', /only when/);
  });

  test('only the provider variables are picked from the environment', () => {
    const picked = providerEnvironmentFrom({ OPENAI_API_KEY: 'a', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'b' });
    assert.deepEqual(Object.keys(picked).sort(), ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'PLUMBLINE_SECRET_STORAGE_KEYS']);
  });
});
