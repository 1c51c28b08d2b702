import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { statusRequest } from '../../../src/protocol/methods';
import type { SandboxStatus } from '../../../src/protocol/sandbox';
import { startFakeModelServer, type FakeModelServer } from '../../fake-model/index';
import { playWarningAnswers } from '../support/dialogAnswers';
import { driver, type Driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { extensionId, plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');
/** The server reads it at start (src/agent/sandbox/detectSandbox.ts): no sandbox, as on a machine without one. */
const unavailableSwitch = 'PLUMBLINE_TEST_SANDBOX_UNAVAILABLE';
const sandboxSettings = ['sandbox.allowedHosts', 'sandbox.environment', 'sandbox.readablePaths', 'sandbox.memoryMb'];

async function restartServer(): Promise<void> {
  const api = await plumbline();
  await vscode.commands.executeCommand('plumbline.restartServer');
  await waitForPhase(api, 'ready');
}

/**
 * The sandbox line once the sidebar shows `kind`: a screenshot of it as it first appears (closed),
 * then opened with its info toggle, so its words are on screen for a second one.
 */
async function sandboxLine(page: Driver, kind: SandboxStatus['kind'], shot: string): Promise<{ label: string; effect: string; remedy: string; hidden: boolean }> {
  await vscode.commands.executeCommand('workbench.view.extension.plumbline');
  await waitFor(`the sidebar's sandbox line to say ${kind}`, async () => {
    const line = await page.query('#sandbox');
    return line.attributes?.hidden === undefined && line.attributes?.['data-kind'] === kind ? true : undefined;
  });
  if ('open' in ((await page.query('#sandbox')).attributes ?? {})) await page.click('#sandbox-summary');
  console.log(`Screenshot of the sidebar's sandbox line (${kind}): ${await page.screenshot(shot)}`);
  await page.click('#sandbox-summary');
  await waitFor('the sandbox line to open', async () => ('open' in ((await page.query('#sandbox')).attributes ?? {}) ? true : undefined));
  console.log(`Screenshot of what the sandbox line opens (${kind}): ${await page.screenshot(`${shot}-open`)}`);
  const remedy = await page.query('#sandbox-remedy');
  return {
    label: (await page.query('#sandbox-label')).text ?? '',
    effect: (await page.query('#sandbox-effect')).text ?? '',
    remedy: remedy.text ?? '',
    hidden: 'hidden' in (remedy.attributes ?? {}),
  };
}

describe('the sandbox, in VS Code', () => {
  after(async function () {
    this.timeout(60000);
    for (const key of sandboxSettings) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (process.env.PLUMBLINE_TEST_SANDBOX_UNAVAILABLE !== undefined) {
      delete process.env.PLUMBLINE_TEST_SANDBOX_UNAVAILABLE;
      await restartServer();
    }
    await vscode.commands.executeCommand('notifications.clearAll');
    // The suites after this one open the sidebar themselves and expect a fresh webview.
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('the sidebar says which sandbox confines tests and commands, as the server reports it', async function () {
    this.timeout(60000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const { sandbox } = await api.server.request(statusRequest, {});
    assert.ok(sandbox !== undefined, 'the server reports its sandbox');
    await waitFor('the client to know the sandbox', () => (JSON.stringify(api.sandbox.current) === JSON.stringify(sandbox) ? true : undefined));
    // CI installs bubblewrap (.ci/run): on Linux the line names it and its version.
    if (process.platform === 'linux') assert.equal(sandbox.kind, 'bubblewrap', `${sandbox.detail} ${sandbox.remedy ?? ''}`);
    const page = driver;
    if (page === undefined) return;
    const line = await sandboxLine(page, sandbox.kind, 'sidebar-sandbox');
    assert.equal(line.label, `Sandbox: ${sandbox.detail}`);
    if (process.platform === 'linux') assert.match(line.label, /^Sandbox: bubblewrap \d+\.\d+(\.\d+)? \(Linux namespaces/);
    assert.match(line.effect, /no network .*no home folder, and write only inside their copy/);
    assert.ok(line.hidden, 'no remedy when there is a sandbox');
  });

  it('the plumbline.sandbox.* settings are user settings only, restricted in untrusted workspaces, and reach the server', async function () {
    this.timeout(60000);
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const manifest = vscode.extensions.getExtension(extensionId)?.packageJSON as {
      contributes: { configuration: { properties: Record<string, { scope?: string; markdownDescription?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    for (const key of sandboxSettings) {
      const property = manifest.contributes.configuration.properties[`plumbline.${key}`];
      assert.equal(property?.scope, 'machine', key);
      assert.ok((property.markdownDescription ?? '').length > 80, `${key} is described`);
      assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`plumbline.${key}`), key);
      // A repository's own settings cannot widen the sandbox.
      await assert.rejects(Promise.resolve(config().update(key, key === 'sandbox.memoryMb' ? 512 : ['registry.npmjs.org'], vscode.ConfigurationTarget.Workspace)), key);
    }
    assert.doesNotMatch(manifest.contributes.configuration.properties['plumbline.commands.allow']?.markdownDescription ?? '', /always allowed/);

    // The server validates what it pulls: a value it rejects shows it arrived; a valid one clears that.
    const settingsProblem = async (): Promise<string> => (await api.server.request(statusRequest, {})).modelsError ?? '';
    await config().update('sandbox.allowedHosts', ['not a host name'], vscode.ConfigurationTarget.Global);
    const problem = await waitFor('the server to reject the host', async () => ((await settingsProblem()).includes('sandbox.allowedHosts') ? await settingsProblem() : undefined));
    assert.match(problem, /a host name such as registry\.npmjs\.org/);
    await config().update('sandbox.allowedHosts', ['registry.npmjs.org', '*.pythonhosted.org'], vscode.ConfigurationTarget.Global);
    await config().update('sandbox.environment', ['JAVA_TOOL_OPTIONS'], vscode.ConfigurationTarget.Global);
    await config().update('sandbox.readablePaths', ['~/tools/sdk', '/opt/toolchain'], vscode.ConfigurationTarget.Global);
    await config().update('sandbox.memoryMb', 2048, vscode.ConfigurationTarget.Global);
    await waitFor('the server to accept the sandbox settings', async () => (!(await settingsProblem()).includes('sandbox') ? true : undefined));
    await config().update('sandbox.memoryMb', -1, vscode.ConfigurationTarget.Global);
    await waitFor('the server to reject a negative memory cap', async () => ((await settingsProblem()).includes('sandbox.memoryMb') ? true : undefined));
    for (const key of sandboxSettings) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the defaults back', async () => (!(await settingsProblem()).includes('sandbox') ? true : undefined));
  });

  describe('on a machine without a sandbox', () => {
    let server: FakeModelServer | undefined;

    before(async function () {
      this.timeout(60000);
      process.env[unavailableSwitch] = '1';
      await restartServer();
    });

    afterEach(async () => {
      await clearFakeModelSettings();
      await server?.close();
      server = undefined;
      await vscode.commands.executeCommand('notifications.clearAll');
    });

    it('the sidebar warns with the reason and how to get one', async function () {
      this.timeout(60000);
      const api = await plumbline();
      await waitFor('the client to hear there is none', () => (api.sandbox.current?.kind === 'none' ? api.sandbox.current : undefined));
      const page = driver;
      if (page === undefined) return;
      const line = await sandboxLine(page, 'none', 'sidebar-sandbox-none');
      assert.equal(line.label, `Sandbox: none — ${unavailableSwitch} is set (a test switch).`);
      assert.match(line.effect, /asks before tests run on changes you have not reviewed: .*full access to your files, keys and network/);
      assert.equal(line.hidden, false);
      assert.equal(line.remedy, `To get one: Unset ${unavailableSwitch}.`);
    });

    it('a run asks once, before any step runs; no answer (VS Code refuses dialogs under test) stops it with nothing run', async function () {
      this.timeout(120000);
      const api = await plumbline();
      server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json') });
      await useFakeModel(server, { approvalMode: 'never', reviewPlan: false });
      const runId = await vscode.commands.executeCommand<string | undefined>('plumbline.newTask', 'Rename greet to welcome (no sandbox)');
      assert.ok(runId, 'the run started');
      const finished = await api.runs.whenFinished();
      assert.equal(finished.runId, runId);
      assert.equal(finished.finished?.status, 'cancelled', finished.finished?.reason);
      assert.match(finished.finished?.reason ?? '', new RegExp(`${unavailableSwitch} is set.*You chose not to run the tests on changes you have not reviewed`));
      const roles = server.requests().map((request) => request.role ?? '');
      assert.ok(roles.some((role) => role === 'orchestrator'), 'the plan was made');
      assert.deepEqual(roles.filter((role) => role.startsWith('worker')), [], 'no step ran: the question comes before any');
      assert.deepEqual(finished.evidence, [], 'no test ran');
    });

    it('the modal says what is missing and what running means; Review First goes on without running the tests', async function () {
      this.timeout(120000);
      const api = await plumbline();
      // VS Code refuses real dialogs under test, so the window's answer is played here instead.
      const played = playWarningAnswers('Review First');
      if (played === undefined) return this.skip();
      const asked = played.asked;
      try {
        server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json') });
        await useFakeModel(server, { approvalMode: 'never', reviewPlan: false });
        const runId = await vscode.commands.executeCommand<string | undefined>('plumbline.newTask', 'Rename greet to welcome (review first)');
        assert.ok(runId, 'the run started');
        const finished = await api.runs.whenFinished();
        assert.equal(asked.length, 1, 'asked once per run');
        const [message, options, ...buttons] = asked[0] ?? [];
        assert.equal(message, 'Plumbline: there is no sandbox for the tests on this machine');
        assert.deepEqual(buttons, ['Review First', 'Run Tests Unsandboxed']);
        const { modal, detail } = options as { modal: boolean; detail: string };
        assert.equal(modal, true);
        assert.match(detail, new RegExp(`^No sandbox: ${unavailableSwitch} is set`));
        assert.match(detail, /full access to your files, keys and network/);
        assert.match(detail, new RegExp(`To get a sandbox: Unset ${unavailableSwitch}\\.$`));
        assert.ok(server.requests().some((request) => request.role?.startsWith('worker') === true), 'the steps ran');
        // The baseline runs the user's own files (no question for those); no step's changes were tested.
        const steps = api.runs.transcript.stepEvidence.filter((evidence) => evidence.stepId !== null);
        assert.ok(steps.every((evidence) => evidence.verdict !== 'passed'), JSON.stringify(steps));
        assert.ok(finished.plan?.notes.some((note) => note.includes('You chose to review first')), finished.plan?.notes.join('\n'));
      } finally {
        played.restore();
      }
    });
  });
});
