import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { statusRequest } from '../../../src/protocol/methods';
import { extensionId, plumbline, waitForPhase } from '../support/plumbline';

describe('activation and the agent server', () => {
  it('activates without waiting for the server, and reports how long it took', async () => {
    const api = await plumbline();
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, `activationMs is ${String(api.activationMs)}`);
    // The server is started in the background: activation returns before it is ready.
    assert.notEqual(api.serverPhaseAtActivation, 'ready', 'activate() waited for the agent server');
    assert.equal(api.serverPhaseAtActivation, 'starting');
    console.log(`Plumbline activation time: ${api.activationMs.toFixed(1)} ms`);
  });

  it('starts the agent server, which reports its name and the extension version', async () => {
    const api = await plumbline();
    const phaseWhenAsked = api.server.view.phase;
    const started = Date.now();
    const view = await waitForPhase(api, 'ready');
    console.log(`Agent server was ${phaseWhenAsked} when first asked; ready ${Date.now() - started} ms later`);
    const version = (vscode.extensions.getExtension(extensionId)?.packageJSON as { version: string }).version;
    assert.equal(view.version, version);
  });

  it('answers plumbline/status with the workspace folder and the document sync', async () => {
    const api = await plumbline();
    const status = await api.server.request(statusRequest, {});
    assert.equal(status.name, 'plumbline-agent-server');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the harness opens a workspace folder');
    assert.deepEqual(status.workspaceFolders.map((f) => f.uri), [folder.uri.toString()]);
    const vscodeLm = status.providers.find((provider) => provider.id === 'vscode-lm');
    assert.match(vscodeLm?.note ?? '', /no key needed/, 'the server knows it runs inside VS Code');
  });
});
