import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');

async function openSidebar(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.plumbline');
}

describe('the sidebar webview', () => {
  // A model is set up for the whole suite: until one is, the sidebar offers Configure Models in
  // place of the task box (15-firstStart covers that).
  let server: FakeModelServer;
  before(async () => {
    server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json') });
    await useFakeModel(server, { approvalMode: 'step', reviewPlan: true });
  });
  after(async () => {
    await clearFakeModelSettings();
    await server.close();
  });

  it('completes the ready → snapshot handshake when opened', async () => {
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    // Shown from elsewhere first: an earlier suite may have left the sidebar open, and a view that is
    // already showing has nothing to open.
    await vscode.commands.executeCommand('workbench.view.explorer');
    const before = api.sidebar.handshakes;
    await openSidebar();
    await waitFor('the sidebar handshake', () => (api.sidebar.handshakes > before ? true : undefined));
  });

  it("renders the server's real state in its DOM", async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    const title = await waitFor('the sidebar to show the ready server', async () => {
      const element = await page.query('#server-title');
      return element.text?.startsWith('Agent server ready') ? element.text : undefined;
    });
    assert.equal(title, `Agent server ready · v${api.server.view.version ?? ''}`);
    const section = await page.query('#server');
    assert.equal(section.attributes?.['data-phase'], 'ready');
    await waitFor('the task box, once the model is known to be set up', async () => { const form = await page.query('#task-form'); return form.exists === true && !('hidden' in (form.attributes ?? {})) ? true : undefined; });
    const send = await page.query('#send');
    assert.ok(!('disabled' in (send.attributes ?? {})), 'Send is enabled when the server is ready and no run is in progress');
    const shot = await page.screenshot('sidebar');
    console.log(`Screenshot of the workbench with the sidebar: ${shot}`);
  });

  it('sends a task with Enter, opens its plan for editing, and cancels it from the sidebar', async function () {
    this.timeout(90000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    try {
      await waitFor('the approval mode in the sidebar', async () => ((await page.query('#approval-mode')).value === 'step' ? true : undefined));

      const task = 'Rename greet to welcome (sent from the sidebar)';
      await page.type('#task-input', task);
      await page.press('Enter');
      await waitFor('the task in the transcript', async () => ((await page.query('#transcript .item-task')).text?.trim() === task ? true : undefined));
      await waitFor('the run to start', () => (api.runs.view?.task === task ? true : undefined));
      await waitFor('the plan to wait for approval', async () => ((await page.query('#plan-approval')).attributes?.hidden === undefined ? true : undefined), 60000);
      // Kept until the run has a plan (a run that fails before planning leaves the task to retry), then cleared.
      await waitFor('the draft cleared once the run has a plan', async () => ((await page.query('#task-input')).value === '' ? true : undefined));
      assert.ok('disabled' in ((await page.query('#send')).attributes ?? {}), 'one run at a time: Send waits');

      await page.click('#edit-plan');
      await waitFor('plan.md in an editor', () => (vscode.window.activeTextEditor?.document.uri.path.endsWith('/plan.md') === true ? true : undefined));
      assert.ok(api.runs.pendingApproval !== undefined, 'Edit Plan leaves the plan waiting');

      await page.click('#cancel-run');
      const finished = await api.runs.whenFinished();
      assert.equal(finished.finished?.status, 'cancelled');
      await waitFor('the sidebar to show the cancelled run', async () => ((await page.query('#run-status')).text?.startsWith('Run cancelled') ? true : undefined));
      assert.equal(api.runs.pendingApproval, undefined, 'the approval was withdrawn with the run');
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('writes the approval mode setting from its selector, by keyboard, to the workspace', async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    await waitFor('the sidebar', async () => ((await page.query('#approval-mode')).exists === true ? true : undefined));
    // By keyboard: from the task box, Tab reaches the selector; End picks its last option.
    await page.click('#task-input');
    await page.press('Tab');
    await page.press('End');
    try {
      await waitFor('the setting to change', () => (config().get('approvalMode') === 'never' ? true : undefined));
      assert.equal(config().inspect('approvalMode')?.workspaceValue, 'never', 'written to the workspace settings');
      assert.equal(config().inspect('approvalMode')?.globalValue, undefined, 'not to every workspace');
      await waitFor('the note saying where', async () => ((await page.query('#task-note')).text === "Saved to this workspace's settings." ? true : undefined));
      assert.match((await page.query('#approval-mode')).attributes?.title ?? '', /saved to this workspace's settings/);
    } finally {
      await config().update('approvalMode', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the selector to follow the setting', async () => ((await page.query('#approval-mode')).value === 'step' ? true : undefined));
  });

  it('shows the models in use and opens Configure Models from its button', async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    await config().update('worker.model', 'my-worker-model', vscode.ConfigurationTarget.Workspace);
    try {
      const label = await waitFor('the models line to follow the settings', async () => {
        const text = (await page.query('#models-label')).text ?? '';
        return /worker my-worker-model/.test(text) ? text : undefined;
      });
      assert.match(label, /^Models: orchestrator fake-model @ 127\.0\.0\.1:\d+ · worker my-worker-model @ 127\.0\.0\.1:\d+$/);
      await page.click('#models');
      // Configure Models opens: its first question is the provider.
      await page.waitForWorkbench('.quick-input-widget .quick-input-list-row:has-text("OpenAI-compatible server")');
      await page.press('Escape');
    } finally {
      await config().update('worker.model', 'fake-model', vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the models line to drop the worker model', async () => (/my-worker-model/.test((await page.query('#models-label')).text ?? '') ? undefined : true));
  });

  it('keeps the draft task across hide and show', async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await page.type('#task-input', 'Rename greet to welcome everywhere');
    const before = api.sidebar.handshakes;
    await vscode.commands.executeCommand('workbench.view.explorer');
    await openSidebar();
    await waitFor('a new handshake after the view came back', () => (api.sidebar.handshakes > before ? true : undefined));
    const input = await waitFor('the restored draft', async () => {
      const element = await page.query('#task-input');
      return element.value === 'Rename greet to welcome everywhere' ? element : undefined;
    });
    assert.equal(input.value, 'Rename greet to welcome everywhere');
  });
});
