import * as vscode from 'vscode';
import * as z from 'zod';
import { runUndoRequest, runsListRequest } from '../../protocol/methods';
import type { RunMeta } from '../../protocol/run';
import { runStateOf } from '../../protocol/runState';
import type { AgentServerController } from '../agentServer/serverController';

type UndoResult = z.infer<typeof runUndoRequest.result>;

const undone = new vscode.EventEmitter<string>();
/** A run was undone (files restored): the status bar says so. */
export const onDidUndoRun = undone.event;

/**
 * How Undo Run is invoked: a run id alone (the API, tests: no question asked), or `{ runId, ask }`
 * (the sidebar's button: the same confirmation as the palette, naming the files).
 */
const undoArgumentSchema = z.union([z.string().min(1), z.strictObject({ runId: z.string().min(1), ask: z.literal(true) })]);

const firstLine = (run: RunMeta): string => run.task.split('\n', 1)[0] ?? run.runId;
const when = (run: RunMeta): string => run.updatedAt.slice(0, 16).replace('T', ' ');

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Plumbline: Undo Run…. Offers only runs that have something to restore, asks with the list of
 * files it will restore, and says plainly when there is nothing left (a second undo).
 */
export async function undoRunCommand(server: AgentServerController, given: unknown): Promise<UndoResult | undefined> {
  const argument = given === undefined ? undefined : undoArgumentSchema.safeParse(given);
  if (argument !== undefined && !argument.success) {
    void vscode.window.showErrorMessage('Plumbline: Undo Run takes a run id as "plumbline runs" lists it.');
    return undefined;
  }
  if (typeof argument?.data === 'string') return undo(server, argument.data);
  const { runs } = await server.request(runsListRequest, {});
  let run: RunMeta | undefined;
  if (argument?.data !== undefined) {
    const runId = argument.data.runId;
    run = runs.find((candidate) => candidate.runId === runId);
    if (run === undefined) {
      void vscode.window.showErrorMessage(`Plumbline: there is no run ${runId} in this workspace.`);
      return undefined;
    }
  } else {
    const undoable = runs.filter((candidate) => runStateOf(candidate).canUndo);
    if (undoable.length === 0) {
      void vscode.window.showInformationMessage('Plumbline: no run has anything left to undo (undone runs, and runs that applied nothing, are not listed).');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      undoable.map((candidate) => ({
        label: firstLine(candidate),
        description: `${runStateOf(candidate).label} · ${when(candidate)}`,
        detail: `Restores ${candidate.restorable?.join(', ') ?? ''}`,
        run: candidate,
      })),
      { title: 'Plumbline: Undo Run', placeHolder: 'Which run? Its files go back to how they were before it' },
    );
    run = pick?.run;
  }
  if (run === undefined) return undefined;
  const restorable = run.restorable ?? [];
  if (restorable.length === 0) {
    void vscode.window.showInformationMessage(nothingLeft(run));
    return undefined;
  }
  const confirmed = await vscode.window.showWarningMessage(
    `Undo "${firstLine(run)}"?`,
    { modal: true, detail: `These files go back to how they were before the run:\n${restorable.map((path) => `• ${path}`).join('\n')}\n\nFiles you edited since the run are kept as they are.` },
    'Undo Run',
  );
  if (confirmed !== 'Undo Run') return undefined;
  return undo(server, run.runId);
}

async function undo(server: AgentServerController, runId: string): Promise<UndoResult | undefined> {
  try {
    const report = await server.request(runUndoRequest, { runId });
    if (report.nothingToRestore !== undefined) {
      void vscode.window.showInformationMessage(`Plumbline: ${report.nothingToRestore}`);
      return report;
    }
    if (report.restored.length > 0) undone.fire(runId);
    const kept = report.skipped.length > 0 ? ` Kept your later edits in ${report.skipped.map((entry) => entry.path).join(', ')}.` : '';
    const restored = report.restored.length > 0 ? `restored ${report.restored.join(', ')}.` : 'restored nothing.';
    void vscode.window.showInformationMessage(`Plumbline ${restored}${kept}`);
    return report;
  } catch (error) {
    void vscode.window.showErrorMessage(`Plumbline could not undo the run: ${message(error)}`);
    return undefined;
  }
}

function nothingLeft(run: RunMeta): string {
  if (run.undone !== undefined) return `Plumbline: "${firstLine(run)}" was already undone; there is nothing left to restore.`;
  return `Plumbline: "${firstLine(run)}" left nothing in your files to restore.`;
}

/** Which past run to open, by id or picked from the list (with its state). */
export async function pickRun(server: AgentServerController, given: unknown, title: string): Promise<RunMeta | undefined> {
  const { runs } = await server.request(runsListRequest, {});
  if (typeof given === 'string') {
    const run = runs.find((candidate) => candidate.runId === given);
    if (run === undefined) void vscode.window.showErrorMessage(`Plumbline: there is no run ${given} in this workspace.`);
    return run;
  }
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Plumbline: no runs yet in this workspace.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: firstLine(run), description: `${runStateOf(run).label} · ${when(run)}`, detail: run.runId, run })),
    { title, placeHolder: 'Which run?' },
  );
  return pick?.run;
}
