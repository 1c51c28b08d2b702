import { unrevealHidden } from '../../tools/dataText';
import { secretFileKind, secretFileRefusal } from '../workspace/secretPaths';
import type { ToolResult } from '../../tools/defineTool';
import type { ExploreContext, SymbolPort, TextRead, WorkerContext } from '../../tools/toolContexts';
import { applySearchReplace, decodeFile, encodeFile, formatEditReport, hunkLabel, hunkToBlock, parsePatch } from '../edits';
import type { StagedWorkspace } from '../workspace/stagedWorkspace';
import { resolveWorkspacePath, secretFileAt } from '../workspace/workspacePaths';
import type { WorkspaceReader } from '../../tools/workspacePort';

const encoder = new TextEncoder();

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readText(workspace: WorkspaceReader, path: string): Promise<TextRead> {
  let content;
  try {
    content = await workspace.readFile(path);
  } catch (error) {
    return { kind: 'unreadable', path, reason: message(error) };
  }
  if (content === undefined) return { kind: 'missing', path };
  const secret = await secretFileAt(workspace.root, content.path);
  if (secret !== undefined) return { kind: 'unreadable', path: content.path, reason: secretFileRefusal(content.path, secret) };
  const decoded = decodeFile(content.bytes);
  if (decoded.kind === 'unsupported') return { kind: 'unreadable', path: content.path, reason: decoded.message };
  return { kind: 'text', path: content.path, text: decoded.text, fromBuffer: content.fromBuffer };
}

/** The workspace as the model's tools see it: a search never shows a line of a secret file. */
function withoutSecrets(workspace: WorkspaceReader): WorkspaceReader {
  return {
    root: workspace.root,
    readFile: (path) => workspace.readFile(path),
    listFiles: (options) => workspace.listFiles(options),
    async searchText(query, options) {
      const result = await workspace.searchText(query, options);
      const paths = [...new Set(result.matches.map((match) => match.path))];
      const secret = new Set((await Promise.all(paths.map(async (path) => ((await secretFileAt(workspace.root, path)) !== undefined ? path : undefined)))).filter((path) => path !== undefined));
      return { ...result, matches: result.matches.filter((match) => !secret.has(match.path)) };
    },
  };
}

export function exploreContext(workspace: WorkspaceReader, signal: AbortSignal, symbols?: SymbolPort): ExploreContext {
  return { signal, workspace: withoutSecrets(workspace), readText: (path) => readText(workspace, path), ...(symbols !== undefined ? { symbols } : {}) };
}

export interface WorkerRecorder {
  summary: string | undefined;
  blocked: boolean;
}

/**
 * A worker's tools act on its own fork of the run's staged workspace. Ownership is checked by the
 * tools and again here, so a bug in one layer still cannot write another step's file.
 */
export function workerContext(
  staged: StagedWorkspace,
  ownedFiles: readonly string[],
  signal: AbortSignal,
  recorder: WorkerRecorder,
  runWorkerCommand?: (command: string, purpose: string) => Promise<ToolResult>,
): WorkerContext {
  const guard = (path: string): ToolResult | undefined => {
    if (!ownedFiles.includes(path)) return { isError: true, content: `Refused: ${path} is not owned by this step; it was not changed.` };
    const secret = secretFileKind(path);
    return secret === undefined ? undefined : { isError: true, content: secretFileRefusal(path, secret) };
  };
  const attempt = async (work: () => Promise<ToolResult>): Promise<ToolResult> => {
    try {
      return await work();
    } catch (error) {
      return { isError: true, content: message(error) };
    }
  };
  return {
    ...exploreContext(staged, signal),
    ownedFiles,
    async normalizePath(path) {
      try {
        return (await resolveWorkspacePath(staged.root, path, { forWrite: true })).relative;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    },
    editFile: (path: string, patch: string) =>
      attempt(async () => {
        const refused = guard(path);
        if (refused) return refused;
        const parsed = parsePatch(patch);
        if (!parsed.ok) return { isError: true, content: `The patch for ${path} was not applied, nothing was written: ${parsed.error}` };
        const content = await staged.readFile(path);
        if (content === undefined) return { isError: true, content: `${path} does not exist. Use create_file to create it.` };
        const decoded = decodeFile(content.bytes);
        if (decoded.kind === 'unsupported') return { isError: true, content: decoded.message };
        // Context and "-" lines were copied from a read that showed hidden characters as ⟦U+XXXX⟧, so
        // they are turned back to match (context lines stay as they were, on both sides); "+" lines
        // are taken literally, so an edit can drop hidden characters but never add invisible ones.
        const blocks = parsed.hunks.map((hunk) => hunkToBlock(hunk, unrevealHidden));
        const outcome = applySearchReplace(decoded.text, blocks, { lineEnding: decoded.format.lineEnding, wholeLines: true });
        if (outcome.changed) await staged.write(path, encodeFile(outcome.text, decoded.format));
        const labels = parsed.hunks.map(hunkLabel);
        return { isError: outcome.failedCount > 0 && outcome.appliedCount === 0, content: formatEditReport(outcome, { path, labels }) };
      }),
    createFile: (path: string, content: string) =>
      attempt(async () => {
        const refused = guard(path);
        if (refused) return refused;
        if ((await staged.readFile(path)) !== undefined) return { isError: true, content: `${path} already exists. Use edit_file to change it.` };
        await staged.write(path, encoder.encode(content));
        return { isError: false, content: `Created ${path} (${content.split('\n').length} lines).` };
      }),
    deleteFile: (path: string) =>
      attempt(async () => {
        const refused = guard(path);
        if (refused) return refused;
        await staged.delete(path);
        return { isError: false, content: `Deleted ${path}.` };
      }),
    ...(runWorkerCommand !== undefined ? { runWorkerCommand: (command: string, purpose: string) => attempt(() => runWorkerCommand(command, purpose)) } : {}),
    finish(summary: string, blocked: boolean) {
      recorder.summary = summary;
      recorder.blocked = blocked;
    },
  };
}
