import * as vscode from 'vscode';
import { commandIds } from '../commands';
import type { RunController, RunView } from './runController';

export const retryButton = 'Retry';
export const configureModelsButton = 'Configure Models…';
export const openLogButton = 'Open Log';

/**
 * A run a model error ended says so in a notification with the way out: the message names the
 * provider, the URL and the setting (the engine wrote it); Retry starts the same task again,
 * Configure Models fixes the setting, Open Log shows the details. Once per run.
 */
export class ModelErrorNotices implements vscode.Disposable {
  private readonly shown = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(runs: RunController) {
    this.subscription = runs.onDidChange((view) => this.offer(view));
  }

  private offer(view: RunView): void {
    const finished = view.finished;
    if (finished?.modelError === undefined || this.shown.has(view.runId)) return;
    this.shown.add(view.runId);
    const before = finished.modelError.beforePlan ? ' Nothing was changed.' : '';
    // A resumed run's task is not known here: then there is nothing to retry from this button.
    const buttons = view.task !== '' ? [retryButton, configureModelsButton, openLogButton] : [configureModelsButton, openLogButton];
    void vscode.window.showErrorMessage(`Plumbline: the run stopped. ${finished.reason ?? 'The model call failed.'}${before}`, ...buttons).then(async (choice) => {
      if (choice === retryButton) await vscode.commands.executeCommand(commandIds.newTask, view.task);
      else if (choice === configureModelsButton) await vscode.commands.executeCommand(commandIds.configureModels);
      else if (choice === openLogButton) await vscode.commands.executeCommand(commandIds.showLog);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
