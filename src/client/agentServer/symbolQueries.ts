import * as vscode from 'vscode';
import { ErrorCodes, ResponseError } from 'vscode-languageclient/node';
import type * as z from 'zod';
import type { SymbolLocation, SymbolQuery, symbolResultSchema } from '../../protocol/symbols';

const maxLocations = 100;

function relative(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder === undefined ? undefined : vscode.workspace.asRelativePath(uri, false);
}

/**
 * Answers `plumbline/symbols` from the language servers VS Code already runs: workspace symbols
 * and references. Results outside the workspace are left out; the engine sees relative paths only.
 */
export async function answerSymbolQuery(query: SymbolQuery): Promise<z.infer<typeof symbolResultSchema>> {
  const found: SymbolLocation[] = [];
  if (query.kind === 'workspaceSymbols') {
    const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>('vscode.executeWorkspaceSymbolProvider', query.query)) ?? [];
    for (const symbol of symbols) {
      const path = relative(symbol.location.uri);
      if (path === undefined) continue;
      found.push({ name: symbol.name, kind: vscode.SymbolKind[symbol.kind], path, line: symbol.location.range.start.line + 1, container: symbol.containerName });
    }
  } else {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined) return { locations: [], truncated: false };
    const uri = vscode.Uri.joinPath(folder.uri, query.path);
    const document = await vscode.workspace.openTextDocument(uri);
    const lineIndex = query.line - 1;
    if (lineIndex >= document.lineCount) throw new ResponseError(ErrorCodes.InvalidParams, `${query.path} has only ${document.lineCount} lines.`);
    const column = document.lineAt(lineIndex).text.indexOf(query.symbol);
    if (column < 0) throw new ResponseError(ErrorCodes.InvalidParams, `"${query.symbol}" is not on line ${query.line} of ${query.path}.`);
    const locations = (await vscode.commands.executeCommand<vscode.Location[] | undefined>('vscode.executeReferenceProvider', uri, new vscode.Position(lineIndex, column))) ?? [];
    for (const location of locations) {
      const path = relative(location.uri);
      if (path === undefined) continue;
      found.push({ name: query.symbol, kind: 'Reference', path, line: location.range.start.line + 1 });
    }
  }
  return { locations: found.slice(0, maxLocations), truncated: found.length > maxLocations };
}
