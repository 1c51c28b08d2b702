import * as vscode from 'vscode';
import { runsListRequest } from '../../protocol/methods';
import { runStateOf } from '../../protocol/runState';
import type { AgentServerController } from '../agentServer/serverController';
import type { TaskScope } from '../../protocol/run';
import { commandIds, type CommandHandlers } from '../commands';
import { refuseInRestrictedMode } from '../workspaceTrust';
import { pickRun, undoRunCommand } from './pastRuns';
import { reviewBranchCommand } from './reviewBranch';
import type { RunController } from './runController';
import { configureModelsButton, openLogButton } from './modelErrorNotice';

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
    const choice = await vscode.window.showErrorMessage(`Plumbline could not start the task: ${message(error)}`, configureModelsButton, openLogButton);
    if (choice === configureModelsButton) await vscode.commands.executeCommand(commandIds.configureModels);
    if (choice === openLogButton) await vscode.commands.executeCommand(commandIds.showLog);
    return undefined;
  }
}

/** A run's commands: start one, approve its plan, cancel, open the plan, resume and undo; review a CI run's branch. */
export function runCommandHandlers(
  context: vscode.ExtensionContext,
  runs: RunController,
  server: AgentServerController,
): Pick<CommandHandlers, 'newTask' | 'approvePlan' | 'cancelRun' | 'openPlan' | 'resumeRun' | 'undoRun' | 'openRun' | 'reviewBranch'> {
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
      const resumable = all.filter((run) => runStateOf(run).canResume && run.runId !== runs.view?.runId);
      const runId =
        typeof given === 'string'
          ? given
          : (await vscode.window.showQuickPick(resumable.map((run) => ({ label: run.task.split('\n')[0] ?? run.runId, description: `${run.stepsDone}/${run.stepsTotal} steps · ${runStateOf(run).label}`, detail: run.runId, runId: run.runId })), { title: 'Plumbline: Resume Run', placeHolder: resumable.length === 0 ? 'No run to resume: none stopped before it finished or was cancelled with work left' : 'Which run?' }))?.runId;
      if (runId === undefined) return;
      try {
        await runs.resume(runId);
      } catch (error) {
        void vscode.window.showErrorMessage(`Plumbline could not resume the run: ${message(error)}`);
      }
    },
    undoRun: (given?: unknown) => undoRunCommand(server, given),
    reviewBranch: (given?: unknown) => reviewBranchCommand(server, runs, given),
    openRun: async (given?: unknown) => {
      const run = await pickRun(server, given, 'Plumbline: Open Past Run');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (run === undefined || folder === undefined) return;
      // Its plan (status, steps, summary of changes) and, beside it, what the run said and did.
      const dir = vscode.Uri.joinPath(folder, '.plumbline', 'runs', run.runId);
      const exists = (uri: vscode.Uri): Thenable<boolean> =>
        vscode.workspace.fs.stat(uri).then(
          () => true,
          () => false,
        );
      const plan = vscode.Uri.joinPath(dir, 'plan.md');
      const transcript = vscode.Uri.joinPath(dir, 'transcript.md');
      const [hasPlan, hasTranscript] = await Promise.all([exists(plan), exists(transcript)]);
      if (!hasPlan && !hasTranscript) {
        void vscode.window.showInformationMessage(`Plumbline: run ${run.runId} stopped before it had a plan${run.error !== undefined ? `: ${run.error}` : '.'}`);
        return;
      }
      if (hasPlan) await vscode.window.showTextDocument(plan, { preview: false });
      if (hasTranscript) await vscode.window.showTextDocument(transcript, { preview: false, viewColumn: hasPlan ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active });
    },
  };
}
