import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allMethods, statusRequest } from '../../src/protocol/methods';
import { describeValidationError } from '../../src/protocol/method';
import { hostToWebviewSchema, webviewToHostSchema } from '../../src/protocol/webviewMessages';
import { initializationOptionsSchema } from '../../src/protocol/initialization';

describe('the plumbline/* method table', () => {
  test('every method is namespaced, unique, and has a direction', () => {
    const names = allMethods.map((method) => method.method);
    assert.equal(new Set(names).size, names.length);
    for (const method of allMethods) {
      assert.match(method.method, /^plumbline\/[a-z][A-Za-z/]*$/);
      assert.ok(method.direction === 'clientToServer' || method.direction === 'serverToClient');
    }
  });

  test('status params reject unknown fields with a message naming them', () => {
    const parsed = statusRequest.params.safeParse({ verbose: true });
    assert.equal(parsed.success, false);
    if (!parsed.success) {
      const message = describeValidationError(statusRequest.method, parsed.error);
      assert.match(message, /^Invalid data for plumbline\/status: /);
      assert.match(message, /verbose/);
    }
  });

  test('a status result missing fields is rejected', () => {
    assert.equal(statusRequest.result.safeParse({ name: 'x', version: '1' }).success, false);
  });
});

describe('webview messages', () => {
  test('accepts the handshake and known requests', () => {
    assert.ok(webviewToHostSchema.safeParse({ type: 'ready' }).success);
    assert.ok(webviewToHostSchema.safeParse({ type: 'request', id: 3, method: 'server/restart' }).success);
  });

  test('rejects unknown types, unknown methods, extra fields and bad ids', () => {
    for (const bad of [
      { type: 'eval', code: 'x' },
      { type: 'request', id: 1, method: 'shell/run' },
      { type: 'ready', extra: 1 },
      { type: 'request', id: -1, method: 'log/show' },
      'ready',
      null,
    ]) {
      assert.equal(webviewToHostSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  test('host messages carry a complete server view', () => {
    const server = { phase: 'ready', version: '0.1.0', message: null, crashes: 0, maxRestarts: 4 };
    assert.ok(hostToWebviewSchema.safeParse({ type: 'snapshot', state: { server } }).success);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'server/state', server: { ...server, phase: 'exploded' } }).success, false);
  });
});

describe('initialization options', () => {
  test('defaults when a generic LSP client sends none', () => {
    assert.deepEqual(initializationOptionsSchema.parse(undefined), { host: 'other' });
    assert.deepEqual(initializationOptionsSchema.parse({ host: 'vscode' }), { host: 'vscode' });
    assert.equal(initializationOptionsSchema.safeParse({ host: 'emacs' }).success, false);
  });
});
