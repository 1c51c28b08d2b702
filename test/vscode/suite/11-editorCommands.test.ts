import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { restrictedModeMessage } from '../../../src/client/restrictedMode';
import { driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { extensionId, plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const scenarioPath = join(repoRoot, 'test', 'fixtures', 'scenarios', 'vscode-editor-commands.json');

/** The text of the first user message of the requests a role received. */
function firstUserTexts(server: FakeModelServer, role: string): string[] {
  return server
    .requests()
    .filter((request) => request.role === role)
    .map((request) => {
      const body = request.body as { messages?: { role: string; content: unknown }[] };
      const first = body.messages?.find((message) => message.role === 'user');
      return typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content ?? '');
    });
}

const brokenTest = [
  "const test = require('node:test');",
  "const assert = require('node:assert/strict');",
  "const { greet } = require('../src/greet');",
  '',
  "test('greets loudly', () => {",
  "  assert.equal(greet('Ada'), 'HELLO, ADA!');",
  '});',
  '',
].join('\n');

describe('editor commands: Refactor Selection, Fix Failing Tests, Select Models, workspace trust', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;
  const disk = (path: string): string => readFileSync(join(folder.fsPath, path), 'utf8');

  before(async () => {
    server = await startFakeModelServer({ scenario: scenarioPath });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    await useFakeModel(server, { approvalMode: 'auto', reviewPlan: false });
  });

  after(async () => {
    rmSync(join(folder.fsPath, 'test', 'broken.test.js'), { force: true });
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await server.close();
  });

  it('Refactor Selection is offered in the editor context menu and starts a run scoped to the selection', async function () {
    this.timeout(120000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'src', 'greet.js'));
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    // Lines 1-3: the whole function, not the export.
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    const before = api.runs.view?.runId;
    const instruction = 'Make greet shout';
    const page = driver;
    if (page !== undefined) {
      // As a user: right-click inside the selection, pick the entry, type what to do.
      await page.clickWorkbench('.monaco-editor .view-line span:has-text("Hello")', 'right');
      // Under a "Plumbline" submenu, so the entry cannot be mistaken for VS Code's own "Refactor…".
      const submenu = '.monaco-menu .action-item:has-text("Plumbline")';
      await page.waitForWorkbench(submenu);
      await page.clickWorkbench(submenu);
      const entry = '.monaco-submenu .action-item:has-text("Refactor Selection…")';
      await page.waitForWorkbench(entry);
      console.log(`Screenshot of the editor context menu: ${await page.screenshot('refactor-selection-context-menu')}`);
      await page.clickWorkbench(entry);
      await page.waitForWorkbench('.quick-input-widget .quick-input-message:has-text("src/greet.js, lines 1-3")');
      await page.typeText(instruction);
      await page.press('Enter');
    } else {
      void vscode.commands.executeCommand('plumbline.refactorSelection', instruction);
    }
    await waitFor('the scoped run to start', () => (api.runs.view !== undefined && api.runs.view.runId !== before ? true : undefined), 30000);
    const finished = await api.runs.whenFinished();
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    assert.equal(finished.task.split('\n')[0], 'Make greet shout (in src/greet.js, lines 1-3)');

    const [prompt] = firstUserTexts(server, 'orchestrator-refactor');
    assert.ok(prompt !== undefined, 'the orchestrator was asked');
    assert.match(prompt, /<scope path="src\/greet\.js" lines="1-3">/, 'the scope reaches the model');
    assert.match(prompt, /The selected code \(src\/greet\.js, lines 1-3\):\n```javascript\nfunction greet\(name\) \{\n {2}return `Hello, \$\{name\}!`;\n\}\n```/, 'with the selected text');
    assert.doesNotMatch(prompt, /module\.exports/, 'and not the rest of the file');
  });

  it('Refactor Selection is in the palette only with a file editor, and in the editor context menu', () => {
    const manifest = vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const palette = manifest.contributes.menus.commandPalette?.find((entry) => entry.command === 'plumbline.refactorSelection');
    // A remote extension host (code-server) sees `file` rewritten to its own scheme.
    assert.match(palette?.when ?? '', /activeEditor && resourceScheme == (file|'vscode-remote')/);
    const menus = manifest.contributes.menus as Record<string, { command?: string; submenu?: string }[]>;
    assert.ok(menus['editor/context']?.some((entry) => entry.submenu === 'plumbline.editorContext'), 'a Plumbline submenu in the editor context menu');
    assert.ok(menus['plumbline.editorContext']?.some((entry) => entry.command === 'plumbline.refactorSelection'), 'holding Refactor Selection…');
  });

  it('Fix Failing Tests says the tests pass and starts nothing when they do', async function () {
    this.timeout(60000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const before = api.runs.view?.runId;
    const runId = await vscode.commands.executeCommand<string | undefined>('plumbline.fixFailingTests');
    assert.equal(runId, undefined);
    assert.equal(api.runs.view?.runId, before, 'no run started');
    if (driver !== undefined) await driver.waitForWorkbench('.notification-toast:has-text("nothing to fix")');
  });

  it('Fix Failing Tests shows the failures in the Problems panel, starts a run naming them, and clears them once they pass', async function () {
    this.timeout(150000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.getConfiguration('plumbline').update('reviewPlan', true, vscode.ConfigurationTarget.Workspace);
    writeFileSync(join(folder.fsPath, 'test', 'broken.test.js'), brokenTest);
    const brokenUri = vscode.Uri.joinPath(folder, 'test', 'broken.test.js');

    const runId = await vscode.commands.executeCommand<string | undefined>('plumbline.fixFailingTests');
    assert.ok(runId !== undefined, 'a run started');
    // The failures stay in Problems while the plan waits, mapped from the isolated copy to the workspace file.
    await waitFor('the plan to wait for approval', () => (api.runs.pendingApproval?.runId === runId ? true : undefined), 60000);
    const diagnostics = vscode.languages.getDiagnostics(brokenUri).filter((diagnostic) => diagnostic.source === 'Plumbline tests');
    assert.equal(diagnostics.length, 1, JSON.stringify(api.testDiagnostics.entries.map(([uri]) => uri.toString())));
    assert.equal(diagnostics[0]?.range.start.line, 5, 'line 6 of test/broken.test.js, where the assertion failed');
    assert.match(diagnostics[0]?.message ?? '', /^greets loudly: Expected values to be strictly equal/);
    assert.deepEqual(api.testDiagnostics.entries.map(([uri]) => uri.fsPath), [brokenUri.fsPath], 'nothing outside the workspace file');

    const [prompt] = firstUserTexts(server, 'orchestrator-fix');
    assert.match(prompt ?? '', /Make the failing tests pass: greets loudly\./);
    assert.match(prompt ?? '', /- greets loudly \(.*broken\.test\.js:6\): Expected values to be strictly equal/);

    if (driver !== undefined) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await driver.waitForWorkbench('.markers-panel .monaco-list-row:has-text("greets loudly")');
      await driver.waitForWorkbench('.notification-toast:has-text("planned 1 step")');
      console.log(`Screenshot of the Problems panel with a failing test: ${await driver.screenshot('problems-failing-test')}`);
    }

    // The plan-approval notification's "Run Plan" (a command), then it goes away by itself.
    await vscode.commands.executeCommand('plumbline.approvePlan');
    if (driver !== undefined) {
      const page = driver;
      await waitFor("the run's notification to stop asking", async () => ((await page.queryWorkbench('.notification-toast:has-text("Run Plan")')).exists === false ? true : undefined));
    }
    const finished = await api.runs.whenFinished();
    assert.equal(finished.finished?.status, 'completed', finished.finished?.summary);
    assert.match(disk('test/broken.test.js'), /'Hello, Ada!'/);
    await waitFor('the diagnostics to clear once the tests pass', () => (vscode.languages.getDiagnostics(brokenUri).length === 0 ? true : undefined));
    await vscode.workspace.getConfiguration('plumbline').update('reviewPlan', false, vscode.ConfigurationTarget.Workspace);
  });

  it('Select Models writes the provider and model the user picked, where they picked', async function () {
    this.timeout(60000);
    const page = driver;
    if (page === undefined) return this.skip();
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');
    const done = vscode.commands.executeCommand<boolean>('plumbline.selectModels');
    const choose = async (text: string): Promise<void> => {
      await page.waitForWorkbench('.quick-input-widget .quick-input-list-row');
      await page.typeText(text);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.press('Enter');
      await new Promise((resolve) => setTimeout(resolve, 300));
    };
    await choose('Workers');
    await choose('Anthropic');
    // A model id of one's own: typed, matching no entry.
    await page.waitForWorkbench('.quick-input-widget .quick-input-list-row:has-text("claude-haiku-4-5")');
    await page.typeText('my-own-model');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await page.press('Enter');
    await choose('Workspace Settings');
    assert.equal(await done, true);
    assert.equal(config().inspect('worker.provider')?.workspaceValue, 'anthropic');
    assert.equal(config().inspect('worker.model')?.workspaceValue, 'my-own-model');
    assert.equal(config().inspect('orchestrator.provider')?.workspaceValue, 'openai', 'the other role is untouched');
  });

  it('tells the server the workspace is trusted, shows no Restricted Mode notice, and declares what Restricted Mode restricts', async () => {
    const api = await plumbline();
    assert.equal(vscode.workspace.isTrusted, true);
    assert.deepEqual(api.server.initializationOptions(), { host: 'vscode', workspaceTrusted: true });
    const manifest = vscode.extensions.getExtension(extensionId)?.packageJSON as { capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } } };
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    for (const key of ['plumbline.testCommand', 'plumbline.approvalMode', 'plumbline.reviewPlan', 'plumbline.prices', 'plumbline.orchestrator.baseUrl', 'plumbline.worker.baseUrl']) {
      assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), key);
    }
    if (driver !== undefined) {
      await vscode.commands.executeCommand('workbench.view.extension.plumbline');
      const page = driver;
      const banner = await waitFor('the sidebar', async () => {
        const element = await page.query('#restricted');
        return element.exists === true ? element : undefined;
      });
      assert.ok('hidden' in (banner.attributes ?? {}), 'no Restricted Mode banner in a trusted workspace');
      assert.match(banner.text ?? '', new RegExp(restrictedModeMessage.replace(/[.:]/g, '\\$&')));
      await vscode.commands.executeCommand('workbench.view.explorer');
    }
  });
});
