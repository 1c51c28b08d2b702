import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');

describe('a task from the command palette, end to end', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;

  before(async () => {
    server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json') });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    // An OpenAI-compatible server on this machine needs no key.
    await useFakeModel(server, { approvalMode: 'end', reviewPlan: false });
  });

  after(async () => {
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
  });

  const disk = (path: string): string => readFileSync(join(folder.fsPath, path), 'utf8');

  it('plans, verifies every step, reviews inline, lands what was accepted, and undoes it', async function () {
    this.timeout(180000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const before = { greet: disk('src/greet.js'), farewell: disk('src/farewell.js'), test: disk('test/greet.test.js') };

    const runId = await vscode.commands.executeCommand<string | undefined>('plumbline.newTask', 'Rename greet to welcome and farewell to goodbye');
    assert.ok(runId, 'the run started');
    await waitFor('the inline review', () => (api.runs.view?.phase === 'reviewing' ? true : undefined), 120000);
    const steps = api.runs.view?.plan?.steps ?? [];
    assert.deepEqual(steps.map((step) => [step.id, step.status]), [['s1', 'done'], ['s2', 'done'], ['s3', 'done']]);
    assert.ok(steps.every((step) => step.attempts.at(-1)?.outcome === 'passed'), 'every step passed its tests');
    assert.deepEqual([disk('src/greet.js'), disk('src/farewell.js'), disk('test/greet.test.js')], [before.greet, before.farewell, before.test], 'nothing lands before approval');
    await waitFor('a proposal editor', () => (vscode.window.visibleTextEditors.some((editor) => editor.document.uri.scheme === 'plumbline-proposal') ? true : undefined));
    if (driver !== undefined) console.log(`Screenshot of the review: ${await driver.screenshot('run-inline-review')}`);

    await vscode.commands.executeCommand('plumbline.review.acceptAll');
    const finished = await api.runs.whenFinished();
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    assert.match(disk('src/greet.js'), /function welcome\(name\)/);
    assert.match(disk('test/greet.test.js'), /welcome\('Ada'\)/);

    const report = await vscode.commands.executeCommand<{ restored: string[] } | undefined>('plumbline.undoRun', runId);
    assert.deepEqual([...(report?.restored ?? [])].sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
    assert.deepEqual([disk('src/greet.js'), disk('src/farewell.js'), disk('test/greet.test.js')], [before.greet, before.farewell, before.test], 'undo restores the files');
  });
});
