import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allCommandIds } from '../../../src/client/commands';
import { statusRequest } from '../../../src/protocol/methods';
import { extensionId, plumbline, waitFor, waitForPhase } from '../support/plumbline';

describe('commands', () => {
  it('registers exactly the commands the manifest contributes', async () => {
    await plumbline();
    const manifest = vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((entry) => entry.command).sort();
    // VS Code adds its own commands for the contributed view (plumbline.sidebar.focus, ...).
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('plumbline.') && !id.startsWith('plumbline.sidebar.'))
      .sort();
    assert.deepEqual(registered, contributed);
    // The registry (src/client/commands.ts) names every one of them, and nothing else.
    assert.deepEqual([...allCommandIds].sort(), contributed);
  });

  it('Plumbline: Show Log shows the Plumbline output channel', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('plumbline.showLog');
    // The output channel is a text document of the `output` scheme, visible once the panel shows it.
    await waitFor('the Plumbline output channel to be visible', () =>
      vscode.window.visibleTextEditors.some((editor) => editor.document.uri.scheme === 'output' && /Plumbline/i.test(editor.document.uri.path)) ? true : undefined);
  });

  it('Plumbline: Restart Agent Server replaces the server process', async () => {
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const before = (await api.server.request(statusRequest, {})).pid;
    await vscode.commands.executeCommand('plumbline.restartServer');
    await waitForPhase(api, 'ready');
    const after = await waitFor('the new server to answer', async () => (await api.server.request(statusRequest, {})).pid);
    assert.notEqual(after, before);
  });
});
