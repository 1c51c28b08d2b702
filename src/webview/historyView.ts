import type { RunMeta } from '../protocol/run';
import { describeCost } from '../protocol/cost';
import { runStateOf, type RunState } from '../protocol/runState';
import { byId, formatCost, h, icon, setHidden, setText } from './dom';

const stateIcons: Record<RunState, string> = {
  planning: 'debug-pause',
  'awaiting approval': 'debug-pause',
  running: 'debug-pause',
  completed: 'pass-filled',
  'partly applied': 'pass',
  'not applied': 'circle-large-outline',
  undone: 'discard',
  failed: 'error',
  cancelled: 'circle-slash',
};

/**
 * Past runs of the workspace, newest first, each with its state (completed, partly applied,
 * undone, cancelled, failed), Open (its plan and transcript), Resume for runs that stopped before
 * they finished or were cancelled with work left, and Undo for runs with files to restore. Every
 * button names its run ("Undo run 3: rename foo"), so a screen reader tells them apart. Buttons
 * carry the run id; the sidebar turns a click into a request.
 */
export class HistoryView {
  private signature = '';

  render(runs: readonly RunMeta[], activeRunId: string | null, busy: boolean): void {
    const signature = JSON.stringify([runs, activeRunId, busy]);
    if (signature === this.signature) return;
    this.signature = signature;
    setText(byId('history-count'), runs.length > 0 ? ` (${runs.length})` : '');
    setHidden(byId('history-empty'), runs.length > 0);
    byId('history-list').replaceChildren(...runs.map((run, index) => this.entry(run, runs.length - index, activeRunId, busy)));
  }

  private entry(run: RunMeta, number: number, activeRunId: string | null, busy: boolean): HTMLElement {
    const title = run.task.split('\n', 1)[0] ?? run.runId;
    const when = run.updatedAt.slice(0, 16).replace('T', ' ');
    const state = runStateOf(run);
    const active = run.runId === activeRunId;
    // The sidebar's own run is resumable once cancelled: the cancel that kept its verified work is
    // usually the last thing the user did. Otherwise an active run's entry may still read "running"
    // just after it finished, which is nothing to resume.
    const canResume = state.canResume && !busy && (!active || run.status === 'cancelled');
    // The sidebar's last run, once finished, is undone from here too.
    const canUndo = state.canUndo && !busy;
    const name = `run ${number}: ${title}`;
    const steps = run.stepsTotal > 0 ? ` · ${run.stepsDone}/${run.stepsTotal} steps` : '';
    return h(
      'li',
      { class: 'history-entry', 'data-run-id': run.runId, 'data-status': state.state },
      h('span', { class: `history-icon status-${run.status} state-${state.state.replace(/ /g, '-')}`, 'aria-hidden': 'true' }, icon(stateIcons[state.state])),
      h(
        'div',
        { class: 'history-body' },
        h('p', { class: 'history-title', title: run.task }, title),
        h('p', { class: 'history-meta' }, h('span', { class: 'history-state' }, state.label), `${steps} · ${describeCost({ usd: run.costUsd, unpricedCalls: run.unpricedCalls ?? 0, ...(run.tokens !== undefined ? { tokens: run.tokens } : {}) }, formatCost)} · ${when}`),
      ),
      h(
        'div',
        { class: 'history-actions' },
        h('button', { type: 'button', class: 'icon-button', 'data-action': 'open', 'data-run-id': run.runId, title: 'Open this run\'s plan and transcript', 'aria-label': `Open ${name}` }, icon('go-to-file')),
        canResume ? h('button', { type: 'button', class: 'icon-button', 'data-action': 'resume', 'data-run-id': run.runId, title: 'Resume this run', 'aria-label': `Resume ${name}` }, icon('debug-continue')) : null,
        canUndo
          ? h('button', { type: 'button', class: 'icon-button', 'data-action': 'undo', 'data-run-id': run.runId, title: `Undo this run: restore ${run.restorable?.join(', ') ?? ''}`, 'aria-label': `Undo ${name}` }, icon('discard'))
          : null,
      ),
    );
  }
}
