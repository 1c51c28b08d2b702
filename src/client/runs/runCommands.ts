import * as vscode from 'vscode';
import { runUndoRequest, runsListRequest } from '../../protocol/methods';
import type { AgentServerController } from '../agentServer/serverController';
import type { TaskScope } from '../../protocol/run';
import { commandIds, type CommandHandlers } from '../commands';
import { refuseInRestrictedMode } from '../workspaceTrust';
import type { RunController } from './runController';

const historyKey = 'plumbline.taskHistory';
const historySize = 20;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Asks for a task, offering recent ones; what the user types is used as is. */
async function askForTask(memento: vscode.Memento): Promise<string | undefined> {
  const history = memento.get<string[]>(historyKey, []);
  const pick = vscode.window.createQuickPick();
  pick.title = 'Plumbline: New Task';
  pick.placeholder = 'Describe a refactor or a fix (Enter to plan it)';
  pick.items = history.map((task) => ({ label: task, description: 'recent' }));
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      const typed = pick.value.trim();
      resolve(typed !== '' ? typed : pick.selectedItems[0]?.label);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/**
 * Starts a run the way every command does (New Task, Refactor Selection, Fix Failing Tests): refused
 * in Restricted Mode; a failure to start (a run in progress, no key) is shown with a way out.
 */
export async function startTask(runs: RunController, task: string, scope?: TaskScope): Promise<string | undefined> {
  if (await refuseInRestrictedMode()) return undefined;
  try {
    return await runs.start(task, scope);
  } catch (error) {
    if (/in progress/.test(message(error))) {
      const cancel = await vscode.window.showWarningMessage(`Plumbline could not start the task: ${message(error)}`, 'Cancel Run');
      if (cancel === 'Cancel Run') await vscode.commands.executeCommand(commandIds.cancelRun);
      return undefined;
    }
    const choice = await vscode.window.showErrorMessage(`Plumbline could not start the task: ${message(error)}`, 'Set API Key…', 'Show Log');
    if (choice === 'Set API Key…') await vscode.commands.executeCommand(commandIds.setApiKey);
    if (choice === 'Show Log') await vscode.commands.executeCommand(commandIds.showLog);
    return undefined;
  }
}

/** A run's commands: start one, approve its plan, cancel, open the plan, resume and undo. */
export function runCommandHandlers(
  context: vscode.ExtensionContext,
  runs: RunController,
  server: AgentServerController,
): Pick<CommandHandlers, 'newTask' | 'approvePlan' | 'cancelRun' | 'openPlan' | 'resumeRun' | 'undoRun'> {
  return {
    newTask: async (given?: unknown) => {
      if (await refuseInRestrictedMode()) return undefined;
      const task = typeof given === 'string' && given.trim() !== '' ? given.trim() : await askForTask(context.globalState);
      if (task === undefined) return undefined;
      const history = context.globalState.get<string[]>(historyKey, []);
      await context.globalState.update(historyKey, [task, ...history.filter((entry) => entry !== task)].slice(0, historySize));
      return startTask(runs, task);
    },
    approvePlan: () => {
      if (!runs.approvePending()) void vscode.window.showInformationMessage('No Plumbline plan is waiting for approval.');
    },
    cancelRun: async () => {
      if (!(await runs.cancel())) void vscode.window.showInformationMessage('No Plumbline run is in progress.');
    },
    openPlan: async () => {
      const path = runs.view?.planPath;
      if (path === undefined) {
        void vscode.window.showInformationMessage('There is no plan yet: start a task with "Plumbline: New Task…".');
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: false });
    },
    resumeRun: async (given?: unknown) => {
      if (await refuseInRestrictedMode()) return;
      const { runs: all } = await server.request(runsListRequest, {});
      const resumable = all.filter((run) => run.status !== 'completed' && run.status !== 'failed' && run.status !== 'cancelled');
      const runId =
        typeof given === 'string'
          ? given
          : (await vscode.window.showQuickPick(resumable.map((run) => ({ label: run.task.split('\n')[0] ?? run.runId, description: `${run.stepsDone}/${run.stepsTotal} steps · ${run.status}`, detail: run.runId, runId: run.runId })), { title: 'Plumbline: Resume Run', placeHolder: resumable.length === 0 ? 'No run stopped before it finished' : 'Which run?' }))?.runId;
      if (runId === undefined) return;
      try {
        await runs.resume(runId);
      } catch (error) {
        void vscode.window.showErrorMessage(`Plumbline could not resume the run: ${message(error)}`);
      }
    },
    undoRun: async (given?: unknown) => {
      const { runs: all } = await server.request(runsListRequest, {});
      const runId =
        typeof given === 'string'
          ? given
          : (await vscode.window.showQuickPick(all.map((run) => ({ label: run.task.split('\n')[0] ?? run.runId, description: `${run.status} · ${run.updatedAt.slice(0, 16).replace('T', ' ')}`, detail: run.runId, runId: run.runId })), { title: 'Plumbline: Undo Run', placeHolder: 'Restore the files this run changed' }))?.runId;
      if (runId === undefined) return;
      if (typeof given !== 'string') {
        const confirmed = await vscode.window.showWarningMessage('Restore every file this run changed to how it was before the run? Files you edited since are kept.', { modal: true }, 'Undo Run');
        if (confirmed !== 'Undo Run') return;
      }
      try {
        const report = await server.request(runUndoRequest, { runId });
        const kept = report.skipped.length > 0 ? ` Kept your later edits in ${report.skipped.map((entry) => entry.path).join(', ')}.` : '';
        void vscode.window.showInformationMessage(`Plumbline restored ${report.restored.length} file(s).${kept}`);
        return report;
      } catch (error) {
        void vscode.window.showErrorMessage(`Plumbline could not undo the run: ${message(error)}`);
        return undefined;
      }
    },
  };
}
