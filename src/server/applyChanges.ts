import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceEdit } from 'vscode-languageserver/node';
import { decodeFile } from '../agent/edits';
import type { StagedChange } from '../agent/workspace/stagedWorkspace';
import { resolveWorkspacePath } from '../agent/workspace/workspacePaths';
import { saveDocumentsRequest } from '../protocol/methods';

/**
 * Lands approved changes in the user's files. Each write goes to a temporary file beside the target
 * and is renamed over it, so a file is always either its old or its new self, never half-written.
 */
export async function applyToDisk(root: string, changes: readonly StagedChange[]): Promise<void> {
  for (const change of changes) {
    const { absolute } = await resolveWorkspacePath(root, change.path, { forWrite: true });
    if (change.after === undefined) {
      await rm(absolute, { force: true });
      continue;
    }
    await mkdir(dirname(absolute), { recursive: true });
    const temporary = `${absolute}.plumbline-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, change.after);
      await rename(temporary, absolute);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/**
 * In VS Code, changes land through `workspace/applyEdit`: one edit the user can undo, applied to
 * open buffers as well as files. Files VS Code cannot hold as text edits (not UTF-8) go to disk.
 */
export async function applyThroughEditor(
  connection: Connection,
  root: string,
  documents: TextDocuments<TextDocument>,
  changes: readonly StagedChange[],
): Promise<void> {
  const edit: Required<Pick<WorkspaceEdit, 'documentChanges'>> = { documentChanges: [] };
  const direct: StagedChange[] = [];
  for (const change of changes) {
    const { absolute } = await resolveWorkspacePath(root, change.path, { forWrite: true });
    const uri = pathToFileURL(absolute).toString();
    if (change.after === undefined) {
      edit.documentChanges.push({ kind: 'delete', uri, options: { ignoreIfNotExists: true } });
      continue;
    }
    const decoded = decodeFile(change.after);
    if (decoded.kind !== 'text' || decoded.format.encoding !== 'utf-8' || decoded.format.bom) {
      direct.push(change);
      continue;
    }
    if (change.before === undefined) edit.documentChanges.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: true } });
    const open = documents.get(uri);
    const oldText = open?.getText() ?? (change.before !== undefined ? new TextDecoder().decode(change.before) : '');
    const lines = oldText.split(/\r\n|\r|\n/);
    const end = { line: lines.length - 1, character: lines[lines.length - 1]?.length ?? 0 };
    edit.documentChanges.push({
      textDocument: { uri, version: open?.version ?? null },
      edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: decoded.text }],
    });
  }
  if (edit.documentChanges.length > 0) {
    const result = await connection.workspace.applyEdit({ label: 'Plumbline: apply approved changes', edit });
    if (!result.applied) throw new Error(`VS Code did not apply the changes${result.failureReason ? `: ${result.failureReason}` : ''}.`);
    // One undoable edit in the editor, then saved: approved means written, as in the CLI.
    const uris = edit.documentChanges.flatMap((change) => ('textDocument' in change ? [change.textDocument.uri] : []));
    if (uris.length > 0) await connection.sendRequest(saveDocumentsRequest.method, { uris });
  }
  if (direct.length > 0) await applyToDisk(root, direct);
}
