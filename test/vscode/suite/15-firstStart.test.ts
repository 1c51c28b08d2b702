import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { driver, type Driver } from '../support/driver';
import { clearFakeModelSettings } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');
const hidden = (element: { exists?: boolean; attributes?: Record<string, string> }): boolean => element.exists === true && 'hidden' in (element.attributes ?? {});
const shown = (element: { exists?: boolean; attributes?: Record<string, string> }): boolean => element.exists === true && !('hidden' in (element.attributes ?? {}));
const quickInput = '.quick-input-widget';
const task = 'Let greet and farewell take a title';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Clicks the quick input's row that contains `text` (a click accepts it), once it is there. */
async function pickRow(page: Driver, text: string, timeoutMs = 20000): Promise<void> {
  const row = `${quickInput} .quick-input-list-row:has-text("${text}")`;
  await page.waitForWorkbench(row, timeoutMs);
  await pause(150);
  await page.clickWorkbench(row);
}

/** Waits for step `n` of Configure Models (its title says "(n/5)"). */
async function atStep(page: Driver, n: number): Promise<void> {
  await page.waitForWorkbench(`${quickInput} .quick-input-title:has-text("(${n}/5)")`, 20000);
  await pause(150);
}

/** Types into the quick input and accepts the row made from what was typed. */
async function typeAndPick(page: Driver, text: string, rowText: string): Promise<void> {
  await page.waitForWorkbench(`${quickInput} .quick-input-box input`);
  await page.typeText(text);
  await pickRow(page, rowText);
}

describe('first start: no model → Configure Models → a failed test that names the URL → fixed → a run', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;

  before(async function () {
    if (driver === undefined) return this.skip();
    server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'vscode-first-start.json') });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    // A first start: no model settings at all (earlier suites clean up theirs).
    await clearFakeModelSettings();
  });

  after(async () => {
    await clearFakeModelSettings();
    await config().update('approvalMode', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
    if (folder !== undefined) execFileSync('git', ['checkout', '--', 'src', 'test'], { cwd: folder.fsPath, stdio: 'ignore' });
    await server?.close();
  });

  it('sets up a local server from the sidebar and runs a task on it', async function () {
    this.timeout(300000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    assert.equal(process.env.OPENAI_API_KEY ?? process.env.ANTHROPIC_API_KEY, undefined, 'a first start has no key in the environment');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');

    // 1. No model yet: the sidebar offers Configure Models instead of a task box that would fail.
    await waitFor('the set-up call to action', async () => (shown(await page.query('#setup')) ? true : undefined), 60000);
    assert.equal(hidden(await page.query('#task-form')), true, 'no task box before a model is set up');
    assert.match((await page.query('#setup-problem')).text ?? '', /No model is configured/);
    assert.equal((await page.query('#models-label')).text, 'Models: not configured', 'never "Models: x" as if ready');
    console.log(`Screenshot of the first start: ${await page.screenshot('first-start-setup')}`);

    // 2. Configure Models from the sidebar: an OpenAI-compatible server at a URL where nothing listens.
    await page.click('#configure-models');
    await atStep(page, 1);
    await pickRow(page, 'OpenAI-compatible server');
    await atStep(page, 2);
    console.log(`Screenshot of the base URL step: ${await page.screenshot('configure-base-url')}`);
    const wrongUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    await typeAndPick(page, wrongUrl, 'the URL you typed');
    await atStep(page, 3);
    await pickRow(page, 'No key');
    // The server lists no models (nothing listens): the model id is typed.
    await atStep(page, 4);
    await typeAndPick(page, 'fake-model', 'the model id you typed');
    await page.waitForWorkbench(`${quickInput} .quick-input-title:has-text("Workers")`);
    await pickRow(page, 'Same as above: fake-model');
    await page.waitForWorkbench(`${quickInput} .quick-input-title:has-text("Reviewer")`);
    await pickRow(page, 'Same as above: fake-model');

    // 3. Test Connection fails, in place, naming the URL; nothing is retried four times.
    await atStep(page, 5);
    await pickRow(page, 'Test Connection');
    await page.waitForWorkbench(`${quickInput} .quick-input-list-row:has-text("Nothing is listening at ${wrongUrl}")`, 20000);
    console.log(`Screenshot of a failed Test Connection: ${await page.screenshot('configure-test-failed')}`);
    assert.equal(config().inspect('orchestrator.baseUrl')?.workspaceValue, undefined, 'nothing is saved before Save');

    // 4. Fixed: the fake model server's URL; its /v1/models lists the models to pick from.
    await pickRow(page, 'Change the base URL');
    await atStep(page, 2);
    await typeAndPick(page, server.openaiBaseUrl, 'the URL you typed');
    await atStep(page, 3);
    await pickRow(page, 'No key');
    await atStep(page, 4);
    await page.waitForWorkbench(`${quickInput} .quick-input-list-row:has-text("qwen2.5-coder:7b")`, 20000);
    console.log(`Screenshot of the models the server lists: ${await page.screenshot('configure-models-list')}`);
    await pickRow(page, 'fake-model');
    await page.waitForWorkbench(`${quickInput} .quick-input-title:has-text("Workers")`);
    await pickRow(page, 'Same as above: fake-model');
    await page.waitForWorkbench(`${quickInput} .quick-input-title:has-text("Reviewer")`);
    await pickRow(page, 'Same as above: fake-model');
    await atStep(page, 5);
    await pickRow(page, 'Test Connection');
    await page.waitForWorkbench(`${quickInput} .quick-input-list-row:has-text("Connected: ${server.openaiBaseUrl} answered in")`, 20000);
    console.log(`Screenshot of a passed Test Connection: ${await page.screenshot('configure-test-passed')}`);
    await pickRow(page, 'Save to Workspace Settings');

    // 5. Saved where it said: the workspace's settings.
    for (const role of ['orchestrator', 'worker']) {
      await waitFor(`${role} saved to the workspace`, () => (config().inspect(`${role}.baseUrl`)?.workspaceValue === server.openaiBaseUrl ? true : undefined));
      assert.equal(config().inspect(`${role}.provider`)?.workspaceValue, 'openai');
      assert.equal(config().inspect(`${role}.model`)?.workspaceValue, 'fake-model');
      assert.equal(config().inspect(`${role}.baseUrl`)?.globalValue, undefined, 'not in the user settings');
    }
    await page.waitForWorkbench('.notification-toast:has-text("saved to Workspace Settings")');

    // 6. The sidebar is ready: the task box, and the models it will use.
    await waitFor('the task box', async () => (shown(await page.query('#task-form')) ? true : undefined), 30000);
    assert.equal(hidden(await page.query('#setup')), true);
    assert.match((await page.query('#models-label')).text ?? '', /^Models: fake-model @ 127\.0\.0\.1:\d+$/);
    await vscode.commands.executeCommand('notifications.clearAll');

    // 7. A run: the plan waits with Run Plan as the notification's primary button.
    await config().update('approvalMode', 'end', vscode.ConfigurationTarget.Workspace);
    await config().update('reviewPlan', true, vscode.ConfigurationTarget.Workspace);
    await page.type('#task-input', task);
    await page.click('#send');
    await waitFor('the plan in the sidebar', async () => ((await page.query('#plan-steps li[data-step-id="t1"]')).exists === true ? true : undefined), 60000);
    const question = '.notification-toast:has-text("Plumbline planned 3 steps")';
    await page.waitForWorkbench(question);
    const primary = await page.queryWorkbench(`${question} .monaco-button:not(.secondary) >> nth=0`);
    assert.equal(primary.text?.trim(), 'Run Plan', 'Run Plan is the primary button');
    const cancel = await page.queryWorkbench(`${question} .monaco-button.secondary:has-text("Cancel")`);
    assert.equal(cancel.exists, true, 'Cancel is a secondary button');
    assert.equal((await page.query('#task-input')).value, '', 'the task box is cleared once the run has a plan');
    console.log(`Screenshot of the plan waiting for approval: ${await page.screenshot('first-start-plan')}`);
    await page.clickWorkbench(`${question} .monaco-button:has-text("Run Plan")`);

    // 8. The review at the end, with the tests' evidence in the hover; accept everything.
    await waitFor('the review', () => (api.runs.view?.phase === 'reviewing' ? true : undefined), 120000);
    const proposal = await waitFor('a proposal editor', () => vscode.window.visibleTextEditors.find((editor) => editor.document.uri.scheme === 'plumbline-proposal'));
    const editor = await vscode.window.showTextDocument(proposal.document, { preview: false });
    const changed = editor.document.getText().split('\n').findIndex((line) => line.includes('title'));
    editor.selection = new vscode.Selection(Math.max(0, changed), 2, Math.max(0, changed), 2);
    await page.waitForWorkbench('.codelens-decoration a');
    // The hover with the tests' evidence; shown again if the first request came before the editor settled.
    await waitFor('the hover with the evidence', async () => {
      await vscode.commands.executeCommand('editor.action.showHover');
      await pause(500);
      return (await page.queryWorkbench('.monaco-hover:has-text("Tests passed")')).visible === true ? true : undefined;
    }, 30000);
    console.log(`Screenshot of the inline review with evidence: ${await page.screenshot('first-start-review')}`);
    await vscode.commands.executeCommand('plumbline.review.acceptAll');
    const finished = await api.runs.whenFinished();
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    assert.match(readFileSync(join(folder.fsPath, 'src', 'greet.js'), 'utf8'), /title = ''/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await waitFor('the finished run in the sidebar', async () => (/completed/.test((await page.query('#run-status')).text ?? '') ? true : undefined), 30000);
    console.log(`Screenshot of the finished run: ${await page.screenshot('first-start-done')}`);
  });
});
