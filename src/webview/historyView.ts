import type { RunMeta } from '../protocol/run';
import { describeCost } from '../protocol/cost';
import { byId, formatCost, h, icon, setHidden, setText } from './dom';

const unfinished: ReadonlySet<RunMeta['status']> = new Set(['planning', 'awaiting_approval', 'running']);
const statusIcons: Record<RunMeta['status'], string> = {
  planning: 'debug-pause',
  awaiting_approval: 'debug-pause',
  running: 'debug-pause',
  completed: 'pass-filled',
  failed: 'error',
  cancelled: 'circle-slash',
};

/**
 * Past runs of the workspace, newest first, with Resume for runs that stopped before they finished
 * and Undo for finished ones. Buttons carry the run id; the sidebar turns a click into a request.
 */
export class HistoryView {
  private signature = '';

  render(runs: readonly RunMeta[], activeRunId: string | null, busy: boolean): void {
    const signature = JSON.stringify([runs, activeRunId, busy]);
    if (signature === this.signature) return;
    this.signature = signature;
    setText(byId('history-count'), runs.length > 0 ? ` (${runs.length})` : '');
    setHidden(byId('history-empty'), runs.length > 0);
    byId('history-list').replaceChildren(...runs.map((run) => this.entry(run, activeRunId, busy)));
  }

  private entry(run: RunMeta, activeRunId: string | null, busy: boolean): HTMLElement {
    const title = run.task.split('\n', 1)[0] ?? run.runId;
    const when = run.updatedAt.slice(0, 16).replace('T', ' ');
    const canResume = unfinished.has(run.status) && !busy && run.runId !== activeRunId;
    const canUndo = !unfinished.has(run.status) && !busy;
    return h(
      'li',
      { class: 'history-entry', 'data-run-id': run.runId, 'data-status': run.status },
      h('span', { class: `history-icon status-${run.status}` }, icon(statusIcons[run.status])),
      h(
        'div',
        { class: 'history-body' },
        h('p', { class: 'history-title', title: run.task }, title),
        h('p', { class: 'history-meta' }, `${run.status.replace('_', ' ')} · ${run.stepsDone}/${run.stepsTotal} steps · ${describeCost({ usd: run.costUsd, unpricedCalls: run.unpricedCalls ?? 0, ...(run.tokens !== undefined ? { tokens: run.tokens } : {}) }, formatCost)} · ${when}`),
      ),
      h(
        'div',
        { class: 'history-actions' },
        canResume
          ? h('button', { type: 'button', class: 'icon-button', 'data-action': 'resume', 'data-run-id': run.runId, title: 'Resume this run', 'aria-label': `Resume: ${title}` }, icon('debug-continue'))
          : null,
        canUndo
          ? h('button', { type: 'button', class: 'icon-button', 'data-action': 'undo', 'data-run-id': run.runId, title: 'Undo this run', 'aria-label': `Undo: ${title}` }, icon('discard'))
          : null,
      ),
    );
  }
}
