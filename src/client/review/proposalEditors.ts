import * as vscode from 'vscode';

/** Showing, positioning and closing a review's editors; every tab a review opened is found by its URIs. */

/** Shows a document (in the active editor when it already shows it) with the cursor on a line. */
export async function showLine(uri: vscode.Uri, line: number): Promise<vscode.TextEditor> {
  const active = vscode.window.activeTextEditor;
  const editor = active?.document.uri.toString() === uri.toString() ? active : await vscode.window.showTextDocument(uri, { preview: false });
  const target = Math.max(0, Math.min(line, editor.document.lineCount - 1));
  const position = new vscode.Position(target, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Tabs (text or diff) that show one of the given documents. */
export function tabsShowing(owns: (uri: vscode.Uri) => boolean): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.filter((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputText) return owns(input.uri);
      if (input instanceof vscode.TabInputTextDiff) return owns(input.original) || owns(input.modified);
      return false;
    }),
  );
}

export async function closeTabsShowing(owns: (uri: vscode.Uri) => boolean): Promise<void> {
  const tabs = tabsShowing(owns);
  if (tabs.length === 0) return;
  try {
    await vscode.window.tabGroups.close(tabs, true);
  } catch {
    // A tab closed meanwhile; the others are gone too or will be by the next attempt.
    const left = tabsShowing(owns);
    if (left.length > 0) await vscode.window.tabGroups.close(left, true).then(undefined, () => undefined);
  }
}
