import * as vscode from 'vscode';
import { commandIds } from '../commands';
import { runStateOf, type RunState } from '../../protocol/runState';
import { onDidUndoRun } from './pastRuns';
import { describePhase, describeRunCost, type RunController, type RunView } from './runController';

const stateIcons: Partial<Record<RunState, string>> = {
  completed: '$(check)',
  'partly applied': '$(pass)',
  'not applied': '$(circle-large-outline)',
  undone: '$(discard)',
  cancelled: '$(circle-slash)',
  failed: '$(error)',
};

/** The run at a glance: state, step i of n, cost. Click to open the plan. */
export function createRunStatusBar(runs: RunController): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('plumbline.run', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Plumbline Run';
  item.command = commandIds.openPlan;
  let undoneRunId: string | undefined;
  let last: RunView | undefined;
  const render = (view: RunView): void => {
    last = view;
    const cost = describeRunCost(view);
    if (view.finished !== undefined) {
      // The same words as the history and `plumbline runs`: partly applied, undone…
      const changed = [...new Set(view.plan?.steps.filter((step) => step.status === 'done').flatMap((step) => step.changedFiles) ?? [])];
      const undone = undoneRunId === view.runId ? { at: '', restored: [], kept: [] } : undefined;
      const state = runStateOf({ status: view.finished.status, applied: view.finished.applied, changed, ...(undone !== undefined ? { undone } : {}) });
      item.text = `${stateIcons[state.state] ?? '$(check)'} Plumbline ${undone !== undefined ? 'undone' : state.label} · ${cost}`;
      item.tooltip = undone !== undefined ? `This run was undone: its files were restored.\n\n${view.finished.summary}` : view.finished.summary;
    } else {
      item.text = `$(sync~spin) Plumbline ${describePhase(view)} · ${cost}`;
      item.tooltip = `${view.task}\nClick to open the plan.`;
    }
    item.accessibilityInformation = { label: item.text.replace(/\$\([^)]+\)\s*/g, '') };
    item.show();
  };
  const subscription = runs.onDidChange(render);
  const undoneSubscription = onDidUndoRun((runId) => {
    undoneRunId = runId;
    if (last !== undefined) render(last);
  });
  return new vscode.Disposable(() => {
    subscription.dispose();
    undoneSubscription.dispose();
    item.dispose();
  });
}
