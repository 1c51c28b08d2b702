import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { restrictedModeMessage } from '../../../src/client/restrictedMode';
import { testsRunRequest } from '../../../src/protocol/methods';
import { driver } from '../support/driver';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

/**
 * Runs only when the harness opens the workspace untrusted:
 *   npm run test:vscode:untrusted
 * (the normal run disables workspace trust, and trust cannot be taken back at run time).
 */
const modelSettings = ['orchestrator.provider', 'orchestrator.baseUrl', 'orchestrator.model', 'worker.provider', 'worker.baseUrl', 'worker.model'];

describe('Restricted Mode', () => {
  before(async function () {
    if (vscode.workspace.isTrusted || driver === undefined) this.skip();
    // A model set up in the user settings (Restricted Mode ignores a workspace's base URLs), so the
    // sidebar shows its task box rather than Configure Models once the workspace is trusted.
    const config = vscode.workspace.getConfiguration('plumbline');
    for (const role of ['orchestrator', 'worker']) {
      await config.update(`${role}.provider`, 'openai', vscode.ConfigurationTarget.Global);
      await config.update(`${role}.baseUrl`, 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
      await config.update(`${role}.model`, 'fake-model', vscode.ConfigurationTarget.Global);
    }
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('plumbline');
    for (const key of modelSettings) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("VS Code's Chat view (@plumbline) and the language model tools refuse with the same sentence and start nothing", async function () {
    this.timeout(60000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    for (const [tool, input] of [['plumbline_run_task', { task: 'Rename greet' }], ['plumbline_run_tests', {}]] as const) {
      await assert.rejects(Promise.resolve(vscode.lm.invokeTool(tool, { input, toolInvocationToken: undefined })), (error: unknown) => error instanceof Error && error.message.includes(restrictedModeMessage), `${tool} refuses`);
    }
    const parts: vscode.ChatResponsePart[] = [];
    const stream = {
      markdown: (value: string | vscode.MarkdownString) => parts.push(new vscode.ChatResponseMarkdownPart(value)),
      button: (command: vscode.Command) => parts.push(new vscode.ChatResponseCommandButtonPart(command)),
      progress: (value: string) => parts.push(new vscode.ChatResponseProgressPart(value)),
    } as unknown as vscode.ChatResponseStream;
    const request = { prompt: 'Rename greet', command: undefined, references: [], toolReferences: [] } as unknown as vscode.ChatRequest;
    await api.chatHandler(request, { history: [] }, stream, new vscode.CancellationTokenSource().token);
    const text = parts.flatMap((part) => (part instanceof vscode.ChatResponseMarkdownPart ? [part.value.value.replace(/\\(.)/g, '$1')] : [])).join('');
    assert.equal(text, restrictedModeMessage);
    assert.deepEqual(parts.flatMap((part) => (part instanceof vscode.ChatResponseCommandButtonPart ? [part.value.command] : [])), ['workbench.trust.manage']);
    assert.equal(api.runs.view, undefined, 'no run started');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('starts nothing, says why in the sidebar and the commands, and comes back to life when the workspace is trusted', async function () {
    this.timeout(120000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    assert.deepEqual(api.server.initializationOptions(), { host: 'vscode', workspaceTrusted: false });

    // The sidebar: the notice, the way out, and no way to send.
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await waitFor('the Restricted Mode notice', async () => (!('hidden' in ((await page.query('#restricted')).attributes ?? {})) ? true : undefined));
    assert.ok((await page.query('#restricted')).text?.includes(restrictedModeMessage));
    assert.ok('disabled' in ((await page.query('#send')).attributes ?? {}), 'Send is disabled');
    assert.ok('disabled' in ((await page.query('#task-input')).attributes ?? {}), 'the task box is disabled');

    // Every command that starts a run refuses with the same words.
    for (const [command, argument] of [['plumbline.newTask', 'Rename greet'], ['plumbline.fixFailingTests', undefined], ['plumbline.refactorSelection', 'Tidy'], ['plumbline.resumeRun', 'some-run']] as const) {
      // VS Code folds a message into an identical one still on screen: let the last refusal go first.
      await vscode.commands.executeCommand('notifications.clearAll');
      await waitFor('the last refusal to close', async () => ((await page.queryWorkbench('.notification-toast:has-text("paused in Restricted Mode")')).exists === false ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await vscode.commands.executeCommand(command, argument), undefined, `${command} started nothing`);
      await page.waitForWorkbench('.notification-toast:has-text("paused in Restricted Mode")').catch(async (error: unknown) => {
        console.log(`No refusal toast after ${command}: ${await page.screenshot('restricted-mode-missing-toast')}`);
        throw error;
      });
    }
    assert.equal(api.runs.view, undefined, 'no run started');
    console.log(`Screenshot of Restricted Mode: ${await page.screenshot('restricted-mode')}`);
    // The server refuses on its own too.
    await assert.rejects(api.server.request(testsRunRequest, {}), /Restricted Mode/);

    // The sidebar's button opens the trust editor; trusting restarts the server, and the notice goes.
    await vscode.commands.executeCommand('notifications.clearAll');
    const restarts = api.server.view;
    await page.click('#manage-trust');
    const trust = '.workspace-trust-editor .monaco-button:has-text("Trust")';
    await page.waitForWorkbench(trust);
    await page.clickWorkbench(trust);
    await waitFor('the workspace to be trusted', () => (vscode.workspace.isTrusted ? true : undefined));
    await waitFor('a restarted server that knows it', () => (api.server.view !== restarts && api.server.view.phase === 'ready' && api.server.initializationOptions().workspaceTrusted ? true : undefined), 30000);
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await waitFor('the notice to go', async () => ('hidden' in ((await page.query('#restricted')).attributes ?? {}) ? true : undefined));
    await waitFor('Send to be enabled', async () => (!('disabled' in ((await page.query('#send')).attributes ?? {})) ? true : undefined));
  });
});
