import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { driver, type Driver } from '../support/driver';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

/**
 * Plumbline: Review Branch… as a user drives it: a `plumbline/*` branch made the way `plumbline run
 * --ci` makes one (one commit per verified step, the contract's trailers; built here with git
 * plumbing, not with the CI mode's code) is picked from the palette's quick pick, its plan and
 * evidence show in the sidebar, one hunk is accepted and the other rejected in the inline review,
 * and the file on disk holds exactly the accepted one; Undo Run gives the bytes back.
 */

const path = 'src/branchCalc.js';
const original = [
  '// Arithmetic.',
  'function add(a, b) {',
  '  return a + b;',
  '}',
  '',
  '// one',
  '// two',
  '// three',
  '// four',
  '',
  'function sub(a, b) {',
  '  return a - b;',
  '}',
  '',
  'module.exports = { add, sub };',
  '',
].join('\n');
const stepOne = original.replace('// Arithmetic.', '// Arithmetic: add and sub.');
const stepTwo = stepOne.replace('module.exports = { add, sub };', 'module.exports = { add, sub, version: 2 };');
const runId = '20261207-140000-c1d2';
const branch = `plumbline/${runId}`;

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a palette command the way a user does: F1, type its title, Enter. */
async function runFromPalette(page: Driver, title: string): Promise<void> {
  // F1 goes where the focus is: make that the workbench, not a view an earlier suite left focused.
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  await page.press('F1');
  await page.waitForWorkbench('.quick-input-widget .quick-input-box input');
  await page.typeText(title);
  await page.waitForWorkbench(`.quick-input-widget .quick-input-list-row:has-text("${title}")`);
  await page.press('Enter');
}

describe('Review Branch: a CI run\'s branch reviewed hunk by hunk', () => {
  let root: string;
  const git = (args: readonly string[], input?: string, env: NodeJS.ProcessEnv = {}): string =>
    execFileSync('git', ['-c', 'user.email=ci@plumbline.invalid', '-c', 'user.name=Plumbline CI', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Plumbline CI', GIT_AUTHOR_EMAIL: 'ci@plumbline.invalid', GIT_COMMITTER_NAME: 'Plumbline CI', GIT_COMMITTER_EMAIL: 'ci@plumbline.invalid', ...env },
      ...(input !== undefined ? { input } : {}),
    }).trim();
  const disk = (): string => readFileSync(join(root, path), 'utf8');

  /** One commit per step on the branch, with a temporary index: the working tree and HEAD are untouched. */
  function commitStep(parent: string, content: string, title: string, step: string): string {
    const index = { GIT_INDEX_FILE: join(root, '.git', 'plumbline-review-branch-test-index') };
    git(['read-tree', parent], undefined, index);
    const blob = git(['hash-object', '-w', '--stdin'], content);
    git(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], undefined, index);
    const tree = git(['write-tree'], undefined, index);
    const message = `${title}\n\nFiles: ${path}\nTests: 5 passed before, 5 passed after (npm test, 0.8 s).\n\nPlumbline-Run: ${runId}\nPlumbline-Step: ${step}\nPlumbline-Verdict: verified\nPlumbline-Tests: 5 passed, 0 failed; npm test; 0.8 s\n`;
    return git(['commit-tree', tree, '-p', parent, '-F', '-'], message);
  }

  before(async function () {
    if (driver === undefined) return this.skip();
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    root = workspace.uri.fsPath;
    writeFileSync(join(root, path), original);
    git(['add', path]);
    git(['commit', '-qm', 'branchCalc']);
    const first = commitStep(git(['rev-parse', 'HEAD']), stepOne, 'Say what the module holds', 's1');
    const second = commitStep(first, stepTwo, 'Export a version', 's2');
    git(['update-ref', `refs/heads/${branch}`, second]);
    await vscode.workspace.getConfiguration('plumbline').update('approvalMode', 'end', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    if (root === undefined) return;
    // A palette left open by a failure here would take the keys of the suites after this one.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.workspace.getConfiguration('plumbline').update('approvalMode', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    git(['update-ref', '-d', `refs/heads/${branch}`]);
  });

  it('palette → quick pick of branches → plan and evidence in the sidebar → one hunk accepted, one rejected → Undo Run', async function () {
    this.timeout(240000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closePanel');

    // 1. The quick pick lists the branch with its run id, verdict, steps and age.
    await runFromPalette(page, 'Plumbline: Review Branch');
    const row = `.quick-input-widget .quick-input-list-row:has-text("${branch}")`;
    await page.waitForWorkbench(row, 30000);
    assert.match((await page.queryWorkbench(row)).text ?? '', /verified · 2 steps · just now/);
    // The second line: the run id, the files and the steps' titles.
    await page.waitForWorkbench(`.quick-input-widget .quick-input-list-row:has-text("run ${runId} · 1 file · s1: Say what the module holds · s2: Export a version")`);
    console.log(`Screenshot of the branch quick pick: ${await page.screenshot('review-branch-pick')}`);
    await page.press('Enter');

    // 2. The review is a run of its own: the branch's commits are its plan, each step done with its CI evidence.
    await waitFor('the branch plan in the sidebar', async () => ((await page.query('#plan-steps li[data-step-id="s2"]')).exists === true ? true : undefined), 30000);
    assert.equal(api.runs.view?.task, `Review branch ${branch}`);
    const reviewId = api.runs.view?.runId;
    assert.ok(reviewId !== undefined);
    assert.equal((await page.query('#plan-steps li[data-step-id="s1"]')).attributes?.['data-status'], 'done');
    assert.match((await page.query('#plan-steps li[data-step-id="s1"] .step-summary')).text ?? '', /verified\. Tests on the CI runner: 5 passed, 0 failed; npm test; 0\.8 s/);

    // 3. The inline review of the branch's change over the file as it is: accept the first hunk, reject the second.
    await waitFor('the inline review', () => (api.runs.view?.phase === 'reviewing' ? true : undefined), 60000);
    const proposal = await waitFor('a proposal editor', () => vscode.window.visibleTextEditors.find((editor) => editor.document.uri.scheme === 'plumbline-proposal'));
    assert.equal(disk(), original, 'nothing lands before the review');
    const editor = await vscode.window.showTextDocument(proposal.document, { preview: false });
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await page.waitForWorkbench('.codelens-decoration a');
    await pause(500);
    console.log(`Screenshot of the branch's inline review: ${await page.screenshot('review-branch-inline')}`);
    await page.press('Control+Enter');
    await page.waitForWorkbench('.codelens-decoration a:has-text("✓ Accepted")', 20000);
    await pause(300);
    await page.press('Control+Backspace');
    await waitFor('the review decided', () => (api.runs.view?.phase !== 'reviewing' ? true : undefined), 30000);
    const finished = await api.runs.whenFinished();
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    await waitFor('exactly the accepted hunk on disk', () => (disk() === stepOne ? true : undefined), 20000);
    assert.equal(git(['rev-parse', '--abbrev-ref', 'HEAD']) !== branch, true, 'the branch is not checked out');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await pause(500);
    console.log(`Screenshot of the sidebar after the branch review: ${await page.screenshot('review-branch-done')}`);

    // 4. In the history, and Undo Run gives the file's bytes back.
    const report = await vscode.commands.executeCommand<{ restored: string[] } | undefined>('plumbline.undoRun', reviewId);
    assert.deepEqual(report?.restored, [path]);
    assert.equal(disk(), original);
  });
});
