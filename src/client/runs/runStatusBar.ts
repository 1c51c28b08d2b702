import * as vscode from 'vscode';
import { commandIds } from '../commands';
import { describePhase, describeRunCost, type RunController, type RunView } from './runController';

/** The run at a glance: state, step i of n, cost. Click to open the plan. */
export function createRunStatusBar(runs: RunController): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('plumbline.run', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Plumbline Run';
  item.command = commandIds.openPlan;
  const render = (view: RunView): void => {
    const cost = describeRunCost(view);
    if (view.finished !== undefined) {
      const icon = view.finished.status === 'completed' ? '$(check)' : view.finished.status === 'cancelled' ? '$(circle-slash)' : '$(error)';
      item.text = `${icon} Plumbline ${view.finished.status} · ${cost}`;
      item.tooltip = view.finished.summary;
    } else {
      item.text = `$(sync~spin) Plumbline ${describePhase(view)} · ${cost}`;
      item.tooltip = `${view.task}\nClick to open the plan.`;
    }
    item.accessibilityInformation = { label: item.text.replace(/\$\([^)]+\)\s*/g, '') };
    item.show();
  };
  const subscription = runs.onDidChange(render);
  return new vscode.Disposable(() => {
    subscription.dispose();
    item.dispose();
  });
}
