import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { driver, type Driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');

const original = [
  '// String helpers.',
  'function shout(text) {',
  '  return text.toUpperCase();',
  '}',
  '',
  'function whisper(text) {',
  '  return text.toLowerCase();',
  '}',
  '',
  'function trimmed(text) {',
  '  return text.trim();',
  '}',
  '',
  'module.exports = { shout, whisper, trimmed };',
  '',
].join('\n');
/** The first hunk (the header comment) accepted, the second (the export) rejected. */
const expected = original.replace('// String helpers.', '// String helpers: shout, whisper, trimmed.');

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a palette command the way a user does: F1, type its title, Enter. */
async function runFromPalette(page: Driver, title: string): Promise<void> {
  await page.press('F1');
  await page.waitForWorkbench('.quick-input-widget .quick-input-box input');
  await page.typeText(title);
  await page.waitForWorkbench(`.quick-input-widget .quick-input-list-row:has-text("${title}")`);
  await page.press('Enter');
}

describe('the whole journey, as a user drives it', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;
  const disk = (path: string): string => readFileSync(join(folder.fsPath, path), 'utf8');

  before(async function () {
    if (driver === undefined) return this.skip();
    server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'vscode-editor-commands.json') });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    // A committed file with room for two separate hunks.
    writeFileSync(join(folder.fsPath, 'src', 'strings.js'), original);
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', ...args], { cwd: folder.fsPath, stdio: 'ignore' });
    };
    git('add', 'src/strings.js');
    git('commit', '-qm', 'strings');
    await useFakeModel(server, { approvalMode: 'end', reviewPlan: true });
  });

  after(async () => {
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await server?.close();
  });

  it('palette → live plan → inline review (one hunk in, one out) → Ctrl+Z → cancel from the notification → Undo Run → reload', async function () {
    this.timeout(300000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await waitFor('the sidebar', async () => ((await page.query('#server-title')).text?.startsWith('Agent server ready') ? true : undefined), 60000);
    await vscode.commands.executeCommand('notifications.clearAll');

    // 1. New Task from the command palette, typed.
    const task = 'Tidy the string helpers';
    await runFromPalette(page, 'Plumbline: New Task');
    await page.waitForWorkbench('.quick-input-widget .quick-input-title:has-text("Plumbline: New Task")');
    await page.typeText(task);
    await page.press('Enter');

    // 2. The plan appears in the sidebar and waits there; the notification offers the same.
    await waitFor('the plan in the sidebar', async () => ((await page.query('#plan-steps li[data-step-id="j1"]')).exists === true ? true : undefined), 60000);
    const runId = api.runs.view?.runId;
    assert.ok(runId !== undefined);
    assert.equal(api.runs.view?.task, task);
    assert.equal((await page.query('#plan-steps li[data-step-id="j1"]')).attributes?.['data-status'], 'pending');
    await page.waitForWorkbench('.notification-toast:has-text("planned 1 step")');
    // One notification per run: the run's progress steps aside (it closes, which takes the workbench a
    // moment) while the plan's question, with Run Plan as its primary button, waits.
    await waitFor('a single Plumbline notification while the plan waits', async () => ((await page.queryWorkbench('.notification-toast:has-text("Plumbline") >> nth=1')).exists ? undefined : true), 15000);
    assert.equal((await page.queryWorkbench('.notification-toast:has-text("planned 1 step")')).exists, true);
    await page.click('#approve-plan');
    // Answered in the sidebar: the approval notification closes by itself.
    await waitFor("the run's notification to stop asking", async () => ((await page.queryWorkbench('.notification-toast:has-text("Run Plan")')).exists === false ? true : undefined));
    const seen = new Set<string>();
    await waitFor('the step done in the sidebar', async () => {
      const status = (await page.query('#plan-steps li[data-step-id="j1"]')).attributes?.['data-status'] ?? 'absent';
      seen.add(status);
      return status === 'done' ? true : undefined;
    }, 120000);
    console.log(`Step statuses seen in the sidebar: ${[...seen].join(', ')}`);

    // 3. The inline review: accept the first hunk, reject the second, from the keyboard.
    await waitFor('the inline review', () => (api.runs.view?.phase === 'reviewing' ? true : undefined), 60000);
    const proposal = await waitFor('a proposal editor', () => vscode.window.visibleTextEditors.find((editor) => editor.document.uri.scheme === 'plumbline-proposal'));
    assert.equal(disk('src/strings.js'), original, 'nothing lands before the review');
    const editor = await vscode.window.showTextDocument(proposal.document, { preview: false });
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await page.waitForWorkbench('.codelens-decoration a');
    await pause(500);
    await page.press('Control+Enter');
    await page.waitForWorkbench('.codelens-decoration a:has-text("✓ Accepted")', 20000);
    await pause(300);
    await page.press('Control+Backspace');
    // Every change decided: the review ends by itself.
    await waitFor('the review decided', () => (api.runs.view?.phase !== 'reviewing' ? true : undefined), 30000);
    const first = await api.runs.whenFinished();
    assert.equal(first.finished?.status, 'completed', first.finished?.summary);
    await waitFor('exactly the accepted hunk on disk', () => (disk('src/strings.js') === expected ? true : undefined), 20000);

    // 4. Ctrl+Z in the file's editor undoes the accepted edit (it landed through the editor).
    const fileUri = vscode.Uri.joinPath(folder, 'src', 'strings.js');
    const fileEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fileUri), { preview: false });
    assert.equal(fileEditor.document.getText(), expected);
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await pause(300);
    await page.press('Control+z');
    await waitFor('Ctrl+Z to undo the accepted edit', () => (fileEditor.document.getText() === original ? true : undefined), 20000);
    // Put the buffer back to what is on disk for what follows.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(fileEditor.document.getText(), expected);

    // 5. A second run, cancelled from the progress notification's Cancel button.
    await vscode.workspace.getConfiguration('plumbline').update('reviewPlan', false, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    const slowRun = await vscode.commands.executeCommand<string | undefined>('plumbline.newTask', 'Take your time');
    assert.ok(slowRun !== undefined && slowRun !== runId);
    await waitFor('the slow step to start', () => (api.runs.view?.plan?.steps[0]?.status === 'running' ? true : undefined), 60000);
    const cancel = '.notification-toast:has-text("Plumbline") .monaco-button:has-text("Cancel")';
    await page.waitForWorkbench(cancel);
    console.log(`Screenshot of the run's progress notification: ${await page.screenshot('journey-progress-cancel')}`);
    await page.clickWorkbench(cancel);
    const cancelled = await api.runs.whenFinished();
    assert.equal(cancelled.runId, slowRun);
    assert.equal(cancelled.finished?.status, 'cancelled');
    const cutShort = await waitFor('the cancelled step\'s attempt to stop spinning', async () => {
      const attempt = await page.query('.step[data-step-id="k1"] .attempt[data-attempt="1"]');
      return attempt.exists === true && !/running/.test(attempt.text ?? '') ? attempt.text : undefined;
    }, 30000);
    assert.match(cutShort ?? '', /Attempt 1: interrupted/);

    // 6. Undo Run restores the first run's file.
    const report = await vscode.commands.executeCommand<{ restored: string[] } | undefined>('plumbline.undoRun', runId);
    assert.deepEqual(report?.restored, ['src/strings.js']);
    assert.equal(disk('src/strings.js'), original);

    // 7. The view is reloaded, then the agent server restarted: the past runs and their status come back.
    const historyEntry = async (id: string): Promise<string | undefined> => {
      const entry = await page.query(`#history-list li[data-run-id="${id}"]`);
      return entry.exists === true ? entry.attributes?.['data-status'] : undefined;
    };
    const expectHistory = async (what: string): Promise<void> => {
      if (!('open' in ((await page.query('#history')).attributes ?? {}))) await page.click('#history > summary');
      // Undone in step 6: the history says so, and offers no second undo.
      assert.equal(await waitFor(`${what}: the first run in the history`, () => historyEntry(runId), 30000), 'undone');
      assert.match((await page.query(`#history-list li[data-run-id="${runId}"] .history-state`)).text ?? '', /^undone \(1 file restored\)/);
      assert.equal((await page.query(`#history-list li[data-run-id="${runId}"] [data-action="undo"]`)).exists, false, 'no Undo for an undone run');
      assert.equal(await waitFor(`${what}: the cancelled run in the history`, () => historyEntry(slowRun), 30000), 'cancelled');
    };
    await expectHistory('before reloading');
    const handshakes = api.sidebar.handshakes;
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    await waitFor('the reloaded sidebar to say ready again', () => (api.sidebar.handshakes > handshakes ? true : undefined), 30000);
    await expectHistory('after reloading the webview');
    assert.match((await page.query('#run-status')).text ?? '', /^Run cancelled/, 'the last run\'s state is back');

    await vscode.commands.executeCommand('plumbline.restartServer');
    await waitForPhase(api, 'ready');
    await expectHistory('after restarting the agent server');
    console.log(`Screenshot of the sidebar after the reload and restart: ${await page.screenshot('journey-after-restart')}`);
  });
});
