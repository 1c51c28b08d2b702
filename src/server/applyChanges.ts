import { pathToFileURL } from 'node:url';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceEdit } from 'vscode-languageserver/node';
import { decodeFile } from '../agent/edits';
import { ApplyInterruptedError, diskWriter, errnoCode, writeAtomically, type FileWriter } from '../agent/workspace/atomicWrite';
import type { StagedChange } from '../agent/workspace/stagedWorkspace';
import { resolveWorkspacePath } from '../agent/workspace/workspacePaths';
import { saveDocumentsRequest } from '../protocol/methods';
import type { ServerWire } from './typedConnection';

/**
 * Lands approved changes in the user's files. Each write goes to a temporary file beside the target,
 * is flushed, and is renamed over it, so a file is always either its old or its new self, never
 * half-written. If one fails (a full disk), the rest are not attempted and an
 * ApplyInterruptedError says which files landed; the run's journal and checkpoint take it from there.
 */
export async function applyToDisk(root: string, changes: readonly StagedChange[], writer: FileWriter = diskWriter): Promise<void> {
  const landed: string[] = [];
  for (const [index, change] of changes.entries()) {
    try {
      const { absolute } = await resolveWorkspacePath(root, change.path, { forWrite: true });
      if (change.after === undefined) await writer.remove(absolute);
      else await writeAtomically(writer, absolute, change.after);
    } catch (error) {
      if (errnoCode(error) === undefined) throw error;
      throw new ApplyInterruptedError(change.path, landed, changes.slice(index).map((pending) => pending.path), error);
    }
    landed.push(change.path);
  }
}

/**
 * In VS Code, changes land through `workspace/applyEdit`: one edit the user can undo, applied to
 * open buffers as well as files. Files VS Code cannot hold as text edits (not UTF-8) go to disk.
 */
export async function applyThroughEditor(
  connection: Connection,
  wire: ServerWire,
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
    if (uris.length > 0) await wire.request(saveDocumentsRequest, { uris });
  }
  if (direct.length > 0) await applyToDisk(root, direct);
}
