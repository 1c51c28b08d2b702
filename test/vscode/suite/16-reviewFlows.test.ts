import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { driver, type Driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';
import type { PlumblineApi } from '../../../src/client/api';

const repoRoot = join(__dirname, '..', '..', '..', '..');

/** Files of their own, committed, so what earlier suites did to the fixture does not matter. */
const flowFiles: Record<string, string> = {
  'src/flow-a.js': "function start() {\n  return 'starting';\n}\n\nmodule.exports = { start };\n",
  'src/flow-b.js': "function stop() {\n  return 'stopping';\n}\n\nmodule.exports = { stop };\n",
  'src/flow-c.js': "function walk() {\n  return 'walking';\n}\n\nmodule.exports = { walk };\n",
};

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A tab of the workbench, by its label (what the user reads on it). */
const tab = (label: string): string => `.tabs-container .tab:has(.label-name:text-is("${label}"))`;
/** A CodeLens of the active editor, by its title. */
const codeLens = (title: string): string => `.editor-group-container.active .monaco-editor .codelens-decoration a:text-is("${title}")`;

/** Starts a run the way a user does: the sidebar's task box and its send button. */
async function startFromSidebar(page: Driver, task: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.plumbline');
  await waitFor('the task box', async () => ((await page.query('#task-input')).exists === true ? true : undefined), 30000);
  await page.type('#task-input', task);
  await page.click('#send');
}

/** The history entry of a run, opened first when it is folded. */
async function historyState(page: Driver, runId: string): Promise<string | undefined> {
  if (!('open' in ((await page.query('#history')).attributes ?? {}))) await page.click('#history > summary');
  const entry = await page.query(`#history-list li[data-run-id="${runId}"]`);
  return entry.exists === true ? entry.attributes?.['data-status'] : undefined;
}

describe('review flows through the browser: reject then Accept All, undo, a cancelled run resumed', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;
  let api: PlumblineApi;
  let firstRun: string | undefined;
  const disk = (path: string): string => readFileSync(join(folder.fsPath, path), 'utf8');

  before(async function () {
    if (driver === undefined) return this.skip();
    server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'vscode-review-flows.json') });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    for (const [path, text] of Object.entries(flowFiles)) writeFileSync(join(folder.fsPath, path), text);
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', ...args], { cwd: folder.fsPath, stdio: 'ignore' });
    };
    git('add', ...Object.keys(flowFiles));
    git('commit', '-qm', 'flow modules');
    await useFakeModel(server, { approvalMode: 'end', reviewPlan: false });
    api = await plumbline();
    await waitForPhase(api, 'ready');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await server?.close();
  });

  it('a file rejected from its CodeLens, then Accept All from the editor menu: nothing rejected lands, and the result is shown in the real file', async function () {
    this.timeout(240000);
    const page = driver!;
    await startFromSidebar(page, 'Name the flow modules');
    await waitFor('the review', () => (api.runs.view?.phase === 'reviewing' ? true : undefined), 120000);
    firstRun = api.runs.view?.runId;
    // Each proposal's tab says what it is; the second file's is clicked open.
    await page.waitForWorkbench(tab('Proposed: flow-a.js'), 20000);
    await page.waitForWorkbench(tab('Proposed: flow-b.js'), 20000);
    await page.waitForWorkbench(codeLens('Reject File'));
    await pause(300);
    console.log(`Screenshot of the review's proposal tabs: ${await page.screenshot('review-flows-proposal')}`);
    await page.clickWorkbench(tab('Proposed: flow-b.js'));
    await waitFor('flow-b in front', () => (vscode.window.activeTextEditor?.document.uri.path === '/src/Proposed: flow-b.js' ? true : undefined), 20000);
    await page.waitForWorkbench(codeLens('Reject File'));
    await pause(300);
    await page.clickWorkbench(codeLens('Reject File'));
    await page.waitForWorkbench(codeLens('✗ Rejected'), 20000);
    console.log(`Screenshot of flow-b rejected: ${await page.screenshot('review-flows-rejected')}`);
    assert.equal(api.runs.view?.phase, 'reviewing', 'flow-a is still undecided');

    // Accept All from the editor's "More Actions" menu: it decides what is undecided, nothing else.
    await page.clickWorkbench('.editor-group-container.active .editor-actions .codicon-toolbar-more');
    const acceptAll = '.monaco-menu .action-item:has-text("Accept All Proposed Changes")';
    await page.waitForWorkbench(acceptAll);
    await page.clickWorkbench(acceptAll);
    const finished = await api.runs.whenFinished();
    assert.equal(finished.runId, firstRun);
    await waitFor('flow-a to land', () => (disk('src/flow-a.js').includes("const name = 'flow A';") ? true : undefined), 20000);
    assert.equal(disk('src/flow-b.js'), flowFiles['src/flow-b.js'], 'the rejected file is untouched');

    // The proposal's tabs are gone; the user sees the file they decided last... flow-b stayed as it
    // was, so the file shown is the one that changed, on its change.
    const shown = await waitFor('the real file with the result', () => {
      const editor = vscode.window.activeTextEditor;
      return editor?.document.uri.scheme === 'file' && editor.document.uri.path.endsWith('/src/flow-a.js') ? editor : undefined;
    }, 20000);
    assert.match(shown.document.getText(), /const name = 'flow A';/);
    assert.equal(shown.document.lineAt(shown.selection.active.line).text, "const name = 'flow A';");
    await page.waitForWorkbench(tab('flow-a.js'));
    assert.equal((await page.queryWorkbench(tab('Proposed: flow-a.js'))).exists, false);
    await pause(300);
    console.log(`Screenshot of the landed result: ${await page.screenshot('review-flows-landed')}`);
  });

  it("Undo from the sidebar history asks first, naming the run; once undone the file is restored and the history says undone, with no second Undo", async function () {
    this.timeout(120000);
    const page = driver!;
    assert.ok(firstRun !== undefined, 'the first test ran');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    assert.equal(await waitFor('the run in the history', () => historyState(page, firstRun!), 30000), 'partly applied', 'flow-b was rejected');
    // The history's Undo asks for a confirmation in a modal dialog, which VS Code refuses to show
    // under test: the sidebar reports the refusal, and nothing is undone without the answer.
    await page.click(`#history-list li[data-run-id="${firstRun}"] [data-action="undo"]`);
    const refusal = await waitFor('the confirmation to be asked', async () => {
      const error = await page.query('#sidebar-error');
      return error.attributes?.hidden === undefined && error.text?.includes('Undo "Name the flow modules"') === true ? error.text : undefined;
    }, 20000);
    assert.match(refusal, /refused to show dialog in tests/);
    assert.match(disk('src/flow-a.js'), /const name = 'flow A';/, 'not undone without the confirmation');
    // Confirmed: the command with the run's id is what the dialog's Undo Run button runs.
    const report = await vscode.commands.executeCommand<{ restored: string[] } | undefined>('plumbline.undoRun', firstRun);
    assert.deepEqual(report?.restored, ['src/flow-a.js']);
    assert.equal(disk('src/flow-a.js'), flowFiles['src/flow-a.js']);
    assert.equal(await waitFor('the history to say undone', async () => ((await historyState(page, firstRun!)) === 'undone' ? 'undone' : undefined), 20000), 'undone');
    assert.match((await page.query(`#history-list li[data-run-id="${firstRun}"] .history-state`)).text ?? '', /^undone/);
    assert.equal((await page.query(`#history-list li[data-run-id="${firstRun}"] [data-action="undo"]`)).exists, false, 'no second undo');
    await page.scrollIntoView(`#history-list li[data-run-id="${firstRun}"]`);
    console.log(`Screenshot of the history after the undo: ${await page.screenshot('review-flows-undone')}`);
  });

  it('a run cancelled with a verified, unreviewed step is resumed from the sidebar, reviewed and landed', async function () {
    this.timeout(240000);
    const page = driver!;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await startFromSidebar(page, 'Give flow C a pace');
    await waitFor('c1 done and c2 thinking', () => {
      const steps = api.runs.view?.plan?.steps ?? [];
      return steps.find((step) => step.id === 'c1')?.status === 'done' && steps.find((step) => step.id === 'c2')?.status === 'running' ? true : undefined;
    }, 120000);
    const runId = api.runs.view?.runId;
    assert.ok(runId !== undefined);
    await page.click('#cancel-run');
    const cancelled = await api.runs.whenFinished();
    assert.equal(cancelled.finished?.status, 'cancelled');
    assert.equal(disk('src/flow-c.js'), flowFiles['src/flow-c.js'], 'nothing landed without a review');
    assert.equal(await waitFor('the cancelled run in the history', () => historyState(page, runId), 30000), 'cancelled');
    await page.scrollIntoView(`#history-list li[data-run-id="${runId}"]`);
    console.log(`Screenshot of the cancelled run with Resume: ${await page.screenshot('review-flows-cancelled')}`);

    await page.click(`#history-list li[data-run-id="${runId}"] [data-action="resume"]`);
    await waitFor('the resumed review', () => (api.runs.view?.runId === runId && api.runs.view.phase === 'reviewing' ? true : undefined), 120000);
    await page.waitForWorkbench(tab('Proposed: flow-c.js'), 20000);
    await page.waitForWorkbench(codeLens('Accept File'));
    await pause(300);
    console.log(`Screenshot of the resumed run's review: ${await page.screenshot('review-flows-resumed-review')}`);
    await page.clickWorkbench(codeLens('Accept File'));
    const finished = await api.runs.whenFinished();
    assert.equal(finished.runId, runId);
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    await waitFor('flow-c to land', () => (disk('src/flow-c.js').includes('const pace = 3;') ? true : undefined), 20000);
    assert.equal(await waitFor('the history to say completed', async () => ((await historyState(page, runId)) === 'completed' ? 'completed' : undefined), 30000), 'completed');
  });
});
