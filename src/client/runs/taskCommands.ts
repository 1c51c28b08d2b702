import * as vscode from 'vscode';
import { testsRunRequest } from '../../protocol/methods';
import type { TaskScope } from '../../protocol/run';
import type { TestEvidence } from '../../protocol/testEvidence';
import type { AgentServerController } from '../agentServer/serverController';
import type { CommandHandlers } from '../commands';
import { refuseInRestrictedMode } from '../workspaceTrust';
import { startTask } from './runCommands';
import type { RunController } from './runController';
import { composeFixTask, composeRefactorTask, describeScope, failingTests } from './taskText';
import type { TestDiagnostics } from './testDiagnostics';

/** The active editor's selection (or, without one, its whole file) as a workspace-relative scope. */
function selectionScope(editor: vscode.TextEditor): { scope: TaskScope; text: string; wholeFile: boolean } | string {
  const document = editor.document;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const first = vscode.workspace.workspaceFolders?.[0];
  if (document.uri.scheme !== 'file' || folder === undefined || first === undefined || folder.uri.toString() !== first.uri.toString()) {
    return 'Refactor Selection works on a saved file in the (first) workspace folder.';
  }
  const path = vscode.workspace.asRelativePath(document.uri, false);
  const selection = editor.selection;
  if (selection.isEmpty) {
    return { scope: { path, startLine: 1, endLine: Math.max(1, document.lineCount) }, text: document.getText(), wholeFile: true };
  }
  // A selection ending at column 0 of a line does not include that line.
  const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  const range = new vscode.Range(selection.start.line, 0, endLine, document.lineAt(endLine).text.length);
  return { scope: { path, startLine: selection.start.line + 1, endLine: endLine + 1 }, text: document.getText(range), wholeFile: false };
}

/** Runs the project's tests with a cancellable notification; undefined when cancelled or failed to run. */
async function runTests(server: AgentServerController): Promise<TestEvidence | undefined> {
  let cancelled = false;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Plumbline: running the tests', cancellable: true },
      async (_progress, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        return (await server.request(testsRunRequest, {}, token)).evidence;
      },
    );
  } catch (error) {
    // Cancelled by the user: they know, and nothing was started.
    if (!cancelled) void vscode.window.showErrorMessage(`Plumbline could not run the tests: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * "Refactor Selection…" (editor context menu and palette) and "Fix Failing Tests": both start an
 * ordinary run, with a task that carries their context; both return the run id (for tests) or undefined.
 */
export function taskCommandHandlers(
  runs: RunController,
  server: AgentServerController,
  diagnostics: TestDiagnostics,
): Pick<CommandHandlers, 'refactorSelection' | 'fixFailingTests'> {
  return {
    refactorSelection: async (given?: unknown) => {
      if (await refuseInRestrictedMode()) return undefined;
      const editor = vscode.window.activeTextEditor;
      if (editor === undefined) {
        void vscode.window.showInformationMessage('Open a file and select the code to refactor first.');
        return undefined;
      }
      const target = selectionScope(editor);
      if (typeof target === 'string') {
        void vscode.window.showWarningMessage(target);
        return undefined;
      }
      const where = describeScope(target.scope, target.wholeFile);
      const instruction =
        typeof given === 'string' && given.trim() !== ''
          ? given.trim()
          : await vscode.window.showInputBox({
              title: 'Plumbline: Refactor Selection',
              prompt: `What should Plumbline do with ${where}?`,
              placeHolder: 'e.g. extract a function, add error handling, make it async',
              ignoreFocusOut: true,
              validateInput: (value) => (value.trim() === '' ? 'Say what to change.' : undefined),
            });
      if (instruction === undefined || instruction.trim() === '') return undefined;
      const task = composeRefactorTask({ instruction, scope: target.scope, languageId: editor.document.languageId, text: target.text, wholeFile: target.wholeFile });
      return startTask(runs, task, target.scope);
    },
    fixFailingTests: async () => {
      if (await refuseInRestrictedMode()) return undefined;
      const evidence = await runTests(server);
      if (evidence === undefined) return undefined;
      if (evidence.verdict === 'passed') {
        diagnostics.clear();
        void vscode.window.showInformationMessage(`The tests pass (${evidence.command ?? 'the test command'}${evidence.passed !== undefined ? `, ${String(evidence.passed)} passed` : ''}): nothing to fix.`);
        return undefined;
      }
      if (evidence.verdict === 'unverified') {
        const choice = await vscode.window.showWarningMessage(evidence.reason, 'Open Settings');
        if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'plumbline.testCommand');
        return undefined;
      }
      diagnostics.showBeforeRun(evidence);
      const count = failingTests(evidence).length;
      void vscode.window.setStatusBarMessage(`Plumbline: ${count > 0 ? `${String(count)} failing test(s)` : 'the tests fail'}; starting a run to fix them`, 5000);
      return startTask(runs, composeFixTask(evidence));
    },
  };
}
