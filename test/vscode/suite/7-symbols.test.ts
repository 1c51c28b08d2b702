import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { answerSymbolQuery } from '../../../src/client/agentServer/symbolQueries';
import { waitFor } from '../support/plumbline';

describe("code intelligence for the orchestrator, from VS Code's language servers", () => {
  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    // The JavaScript language server starts with the first JavaScript document.
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, 'src', 'greet.js'));
  });

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('finds a definition by name, as a workspace-relative location', async function () {
    this.timeout(90000);
    let last: unknown;
    const result = await waitFor('workspace symbols from the JavaScript language server', async () => {
      const answer = await answerSymbolQuery({ kind: 'workspaceSymbols', query: 'greet' });
      last = answer;
      // TypeScript's server names functions with their parentheses: `greet()`.
      return answer.locations.some((location) => /^greet\b/.test(location.name)) ? answer : undefined;
    }, 60000).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; last answer: ${JSON.stringify(last)}`);
    });
    const greet = result.locations.find((location) => /^greet\b/.test(location.name));
    assert.deepEqual([greet?.path, greet?.line, greet?.kind], ['src/greet.js', 1, 'Function']);
  });

  it('finds references from a path, a line and a name', async () => {
    const result = await waitFor('references from the JavaScript language server', async () => {
      const answer = await answerSymbolQuery({ kind: 'references', path: 'src/greet.js', line: 1, symbol: 'greet' });
      return answer.locations.length >= 2 ? answer : undefined;
    }, 60000);
    assert.deepEqual(result.locations.map((location) => location.line).sort(), [1, 5]);
    assert.ok(result.locations.every((location) => location.path === 'src/greet.js'));
  });

  it('refuses a symbol that is not on the given line, saying so', async () => {
    await assert.rejects(answerSymbolQuery({ kind: 'references', path: 'src/greet.js', line: 2, symbol: 'greet' }), /"greet" is not on line 2 of src\/greet\.js/);
  });
});
