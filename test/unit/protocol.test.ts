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
  const server = { phase: 'ready', version: '0.1.0', message: null, crashes: 0, maxRestarts: 4 };
  const plan = {
    runId: 'r1', task: 'Rename', summary: 'Rename things', status: 'draft', notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 },
    steps: [{ id: 's1', title: 'Rename', instructions: 'Do it', files: ['a.js'], dependsOn: [], status: 'pending', attempts: [], changedFiles: [] }],
  };
  const run = {
    runId: 'r1', task: 'Rename', phase: 'awaiting_approval', hasPlanDocument: true, plan, costUsd: 0.01, awaitingApproval: true, finished: null,
    evidence: [{ stepId: 's1', attempt: 1, verdict: 'passed', reason: 'ok', passed: 3, failed: 0, total: 3 }],
  };
  const state = { server, run, transcript: { runId: 'r1', items: [{ kind: 'task', id: 1, text: 'Rename' }], dropped: 0 }, history: [], settings: { approvalMode: 'step', approvalModeTarget: 'workspace', setup: { state: 'ready', problem: null, models: { orchestrator: 'fake', worker: 'fake' } }, trusted: true, models: { orchestrator: 'auto', worker: 'auto' } }, sandbox: { kind: 'bubblewrap', detail: 'bubblewrap 0.8.0 (Linux namespaces)' } };

  test('accepts the handshake and every known request', () => {
    for (const good of [
      { type: 'ready' },
      { type: 'request', id: 3, method: 'server/restart' },
      { type: 'request', id: 4, method: 'task/start', task: '  Rename greet  ' },
      { type: 'request', id: 5, method: 'run/cancel' },
      { type: 'request', id: 6, method: 'plan/open' },
      { type: 'request', id: 7, method: 'plan/answer', runId: 'run-1_a', decision: 'approve' },
      { type: 'request', id: 8, method: 'run/resume', runId: 'r1' },
      { type: 'request', id: 9, method: 'run/undo', runId: 'r1' },
      { type: 'request', id: 10, method: 'history/refresh' },
      { type: 'request', id: 11, method: 'settings/approvalMode', mode: 'auto' },
      { type: 'request', id: 12, method: 'clipboard/write', text: 'const x = 1;' },
      { type: 'request', id: 13, method: 'models/select' },
    ]) {
      assert.ok(webviewToHostSchema.safeParse(good).success, JSON.stringify(good));
    }
    const parsed = webviewToHostSchema.parse({ type: 'request', id: 4, method: 'task/start', task: '  Rename greet  ' });
    assert.deepEqual(parsed, { type: 'request', id: 4, method: 'task/start', task: 'Rename greet' }, 'the task is trimmed');
  });

  test('rejects unknown types, unknown methods, missing or extra fields, bad ids and bad values', () => {
    for (const bad of [
      { type: 'eval', code: 'x' },
      { type: 'request', id: 1, method: 'shell/run' },
      { type: 'ready', extra: 1 },
      { type: 'request', id: -1, method: 'log/show' },
      { type: 'request', id: 1, method: 'log/show', task: 'x' },
      { type: 'request', id: 1, method: 'task/start' },
      { type: 'request', id: 1, method: 'task/start', task: '   ' },
      { type: 'request', id: 1, method: 'task/start', task: 'x'.repeat(20001) },
      { type: 'request', id: 1, method: 'plan/answer', runId: 'r1', decision: 'maybe' },
      { type: 'request', id: 1, method: 'run/undo', runId: '../../etc' },
      { type: 'request', id: 1, method: 'settings/approvalMode', mode: 'yolo' },
      { type: 'request', id: 1.5, method: 'run/cancel' },
      'ready',
      null,
    ]) {
      assert.equal(webviewToHostSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  test('host messages carry a complete, valid state', () => {
    assert.ok(hostToWebviewSchema.safeParse({ type: 'snapshot', state }).success);
    assert.ok(hostToWebviewSchema.safeParse({ type: 'snapshot', state: { ...state, run: null, transcript: { runId: null, items: [], dropped: 0 } } }).success);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'snapshot', state: { server } }).success, false, 'a snapshot is complete');
    assert.ok(hostToWebviewSchema.safeParse({ type: 'snapshot', state: { ...state, sandbox: null } }).success, 'before the server has said which sandbox it has');
    assert.equal(hostToWebviewSchema.safeParse({ type: 'sandbox', sandbox: { kind: 'chroot', detail: 'x' } }).success, false, 'only the sandboxes Plumbline knows');
    assert.equal(hostToWebviewSchema.safeParse({ type: 'server/state', server: { ...server, phase: 'exploded' } }).success, false);
    assert.ok(hostToWebviewSchema.safeParse({ type: 'run/state', run }).success);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'run/state', run: { ...run, plan: { ...plan, steps: [{ id: 'S 1' }] } } }).success, false);
  });

  test('transcript updates: items are validated by kind', () => {
    const items = [
      { kind: 'text', id: 2, text: '**hi**' },
      { kind: 'step', id: 3, stepId: 's1', title: 'Rename', status: 'done', detail: 'Renamed.', changedFiles: ['a.js'] },
      { kind: 'verification', id: 4, stepId: 's1', attempt: 1, verdict: 'passed', reason: 'ok', command: 'npm test', passed: 3, failed: 0, total: 3 },
      { kind: 'review', id: 5, applied: [{ path: 'a.js', hunks: 1, of: 1 }], rejected: [], conflicts: [] },
      { kind: 'finished', id: 6, status: 'completed', summary: 'Done', reason: null, applied: ['a.js'], costUsd: 0.02 },
    ];
    assert.ok(hostToWebviewSchema.safeParse({ type: 'transcript/append', items }).success);
    assert.ok(hostToWebviewSchema.safeParse({ type: 'transcript/text', id: 2, delta: ' more' }).success);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'transcript/append', items: [{ kind: 'html', id: 1, html: '<script>' }] }).success, false);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'transcript/append', items: [{ kind: 'step', id: 3, stepId: 's1', title: 'x', status: 'exploded', detail: null, changedFiles: [] }] }).success, false);
  });
});

describe('initialization options', () => {
  test('defaults when a generic LSP client sends none', () => {
    assert.deepEqual(initializationOptionsSchema.parse(undefined), { host: 'other', workspaceTrusted: true });
    assert.deepEqual(initializationOptionsSchema.parse({ host: 'vscode' }), { host: 'vscode', workspaceTrusted: true });
    assert.deepEqual(initializationOptionsSchema.parse({ host: 'vscode', workspaceTrusted: false }), { host: 'vscode', workspaceTrusted: false });
    assert.equal(initializationOptionsSchema.safeParse({ host: 'emacs' }).success, false);
  });
});
