import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answerSandboxConsent, reviewFirstButton, runUnsandboxedButton, sandboxConsentMessage, type ConsentCancellation, type ConsentUi } from '../../src/client/runs/sandboxConsent';
import { renderSidebarHtml } from '../../src/client/sidebar/sidebarHtml';
import { sandboxConsentRequest } from '../../src/protocol/methods';
import { createWire } from '../../src/protocol/wire';
import type { SandboxConsentParams } from '../../src/protocol/sandbox';
import { hostToWebviewSchema } from '../../src/protocol/webviewMessages';
import { describeSandbox } from '../../src/webview/sandboxView';
import { rawPair } from './support/wirePair';

const question: SandboxConsentParams = {
  runId: 'r1',
  reason: 'bubblewrap (bwrap) is not installed.',
  remedy: 'Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu).',
};

/** A cancellation token the test controls. */
function cancellation(): ConsentCancellation & { cancel(): void } {
  const listeners = new Set<() => void>();
  let cancelled = false;
  return {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    cancel() {
      cancelled = true;
      for (const listener of listeners) listener();
    },
  };
}

interface Shown {
  message: string;
  detail: string;
  buttons: readonly string[];
}

function ui(answer: (shown: Shown) => PromiseLike<string | undefined>): ConsentUi & { shown: Shown[]; lines: string[] } {
  const shown: Shown[] = [];
  const lines: string[] = [];
  return {
    shown,
    lines,
    showModal: (message, detail, buttons) => {
      const entry = { message, detail, buttons };
      shown.push(entry);
      return answer(entry);
    },
    log: { info: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`) },
  };
}

describe('the no-sandbox question in VS Code', () => {
  test('the modal says in plain words what is missing, what running anyway means, what each button does, and the remedy', () => {
    const { message, detail } = sandboxConsentMessage(question);
    assert.equal(message, 'Plumbline: there is no sandbox for the tests on this machine');
    assert.equal(detail.split('\n')[0], question.reason);
    assert.match(detail, /changes you have not reviewed yet, with full access to your files, keys and network/);
    assert.match(detail, /Review First: nothing runs before you accept the changes/);
    assert.match(detail, /Run Tests Unsandboxed: run them now, unconfined, for this run only/);
    assert.match(detail, /Cancel: stop the run/);
    assert.ok(detail.endsWith(`To get a sandbox: ${question.remedy}`));
  });

  test('each button maps to its decision, and a dismissed dialog cancels the run', async () => {
    for (const [button, decision] of [[reviewFirstButton, 'review-first'], [runUnsandboxedButton, 'run'], [undefined, 'cancel'], ['Something else', 'cancel']] as const) {
      const window = ui(() => Promise.resolve(button));
      const answer = await answerSandboxConsent(question, cancellation(), window);
      assert.deepEqual(answer, { decision });
      assert.ok(sandboxConsentRequest.result.safeParse(answer).success);
      assert.deepEqual(window.shown[0]?.buttons, [reviewFirstButton, runUnsandboxedButton], 'Review First first: the safe choice is the default');
    }
  });

  test('always answers: a refused dialog or a malformed question is cancel (the run stops, nothing ran), and says why in the log', async () => {
    const refused = ui(() => Promise.reject(new Error('DialogService: refused to show dialog in tests')));
    assert.deepEqual(await answerSandboxConsent(question, cancellation(), refused), { decision: 'cancel' });
    assert.ok(refused.lines.some((line) => line.startsWith('warn: Could not ask') && line.includes('refused to show dialog in tests')), refused.lines.join('\n'));

    // Malformed params never reach the dialog: the wire answers the method's refusal, as on every side.
    const malformed = ui(() => Promise.resolve(runUnsandboxedButton));
    const [serverEnd, clientEnd] = rawPair(cancellation);
    createWire<'client', ConsentCancellation>(clientEnd, malformed.log).onRequest(sandboxConsentRequest, (params, token) => answerSandboxConsent(params, token, malformed));
    assert.deepEqual(await serverEnd.sendRaw(sandboxConsentRequest.method, { runId: 'r1', reason: 'x' }), { decision: 'cancel' });
    assert.equal(malformed.shown.length, 0, 'nothing is asked on a malformed question');
    assert.ok(malformed.lines.some((line) => line.startsWith('warn: Invalid data for plumbline/sandbox/consent: remedy')), malformed.lines.join('\n'));
  });

  test('a question the server withdrew (the run was cancelled) is answered at once, even while the dialog is still open or queued', async () => {
    const token = cancellation();
    const window = ui(() => new Promise<string | undefined>(() => undefined));
    const answer = answerSandboxConsent(question, token, window);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(window.shown.length, 1);
    token.cancel();
    assert.deepEqual(await answer, { decision: 'cancel' });

    const late = cancellation();
    const clicked = ui(() => {
      late.cancel();
      return Promise.resolve(runUnsandboxedButton);
    });
    assert.deepEqual(await answerSandboxConsent(question, late, clicked), { decision: 'cancel' }, 'a yes after the run was cancelled runs nothing');

    const already = cancellation();
    already.cancel();
    const none = ui(() => Promise.resolve(runUnsandboxedButton));
    assert.deepEqual(await answerSandboxConsent(question, already, none), { decision: 'cancel' });
    assert.equal(none.shown.length, 0);
  });
});

describe('the sandbox line in the sidebar', () => {
  test('names the sandbox in use, or warns with the reason and the remedy', () => {
    const bubblewrap = describeSandbox({ kind: 'bubblewrap', detail: 'bubblewrap 0.8.0 (Linux namespaces)' });
    assert.equal(bubblewrap.label, 'Sandbox: bubblewrap 0.8.0 (Linux namespaces)');
    assert.equal(bubblewrap.icon, 'shield');
    assert.equal(bubblewrap.remedy, null);
    assert.match(bubblewrap.effect, /no network/);

    const none = describeSandbox({ kind: 'none', detail: question.reason, remedy: question.remedy });
    assert.equal(none.label, 'Sandbox: none — bubblewrap (bwrap) is not installed.');
    assert.equal(none.icon, 'warning');
    assert.equal(none.remedy, `To get one: ${question.remedy}`);
    assert.match(none.effect, /full access to your files, keys and network/);
    assert.equal(describeSandbox({ kind: 'none', detail: 'No sandbox: PLUMBLINE_TEST_SANDBOX_UNAVAILABLE is set (a test switch).' }).label, 'Sandbox: none — PLUMBLINE_TEST_SANDBOX_UNAVAILABLE is set (a test switch).');
  });

  test('the shell has the line (hidden until the server says) and the protocol carries it both in the snapshot and as an update', () => {
    const html = renderSidebarHtml({ cspSource: 'https://w', nonce: 'n', scriptUri: 'https://w/s.js', styleUri: 'https://w/s.css', codiconUri: 'https://w/c.css' });
    assert.match(html, /<details id="sandbox" class="sandbox" data-kind="unknown" hidden>/);
    assert.match(html, /<summary id="sandbox-summary"/);
    const status = { kind: 'none' as const, detail: question.reason, remedy: question.remedy };
    assert.ok(hostToWebviewSchema.safeParse({ type: 'sandbox', sandbox: status }).success);
    assert.ok(hostToWebviewSchema.safeParse({ type: 'sandbox', sandbox: null }).success);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'sandbox', sandbox: { kind: 'chroot', detail: 'x' } }).success, false);
  });
});
