import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { statusRequest } from '../../../src/protocol/methods';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

describe('text-document sync', () => {
  it("gives the server the user's unsaved buffer, version by version", async () => {
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    // A file of this test's own: earlier suites change src/greet.js on disk and restore it with git, and
    // VS Code may still hold the old text of a document they had open, which makes an edit to it fail
    // with "has changed in the meantime".
    const uri = vscode.Uri.joinPath(folder.uri, 'src', 'document-sync-probe.js');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('module.exports = 1;\n'));
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(0, 0), '// unsaved change\n');
      assert.equal(await vscode.workspace.applyEdit(edit), true, 'VS Code applies the edit to the buffer');
      assert.ok(document.isDirty, 'the edit stays unsaved');

      const synced = await waitFor('the server to see the edited version', async () => {
        const status = await api.server.request(statusRequest, {});
        return status.documents.find((doc) => doc.uri === uri.toString() && doc.version === document.version);
      });
      assert.equal(synced.languageId, 'javascript');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });
});
