import type { RunMeta } from './run';

/**
 * What a past or present run amounts to, as every client says it (sidebar history, status bar,
 * `plumbline runs`, Undo Run…): derived from its record in one place so no two surfaces disagree.
 * The record's status says how the run ended; this says what that left in the user's files.
 */
export type RunState =
  | 'planning'
  | 'awaiting approval'
  | 'running'
  | 'completed'
  | 'partly applied'
  | 'not applied'
  | 'undone'
  | 'cancelled'
  | 'failed';

export interface RunStateView {
  readonly state: RunState;
  /** One short phrase for people: "completed", "partly applied (2 of 3 files)", "undone". */
  readonly label: string;
  /** Undo would restore at least one file now (the listing computed `restorable`). */
  readonly canUndo: boolean;
  /** Resume continues it: it stopped before it finished, or it was cancelled with verified work left. */
  readonly canResume: boolean;
}

const unfinished: ReadonlySet<RunMeta['status']> = new Set(['planning', 'awaiting_approval', 'running']);

export function isUnfinished(status: RunMeta['status']): boolean {
  return unfinished.has(status);
}

/** How a run reads: its state, a label, and which of Undo and Resume make sense for it. */
export function runStateOf(run: Pick<RunMeta, 'status' | 'applied' | 'changed' | 'unreviewed' | 'resumable' | 'undone' | 'restorable'>): RunStateView {
  const canUndo = !isUnfinished(run.status) && run.undone === undefined && (run.restorable?.length ?? 0) > 0;
  const canResume = isUnfinished(run.status) || (run.status === 'cancelled' && run.resumable === true && run.undone === undefined);
  const view = (state: RunState, label: string = state): RunStateView => ({ state, label, canUndo, canResume });
  if (run.undone !== undefined) {
    const kept = run.undone.kept.length > 0 ? `, ${run.undone.kept.length} kept` : '';
    return view('undone', `undone (${count(run.undone.restored.length, 'file')} restored${kept})`);
  }
  switch (run.status) {
    case 'planning':
      return view('planning');
    case 'awaiting_approval':
      return view('awaiting approval');
    case 'running':
      return view('running');
    case 'failed':
      return view('failed', appliedSuffix('failed', run));
    case 'cancelled': {
      const unreviewed = run.unreviewed?.length ?? 0;
      const waiting = unreviewed > 0 ? ` (${count(unreviewed, 'verified file')} to review)` : '';
      return view('cancelled', `${appliedSuffix('cancelled', run)}${waiting}`);
    }
    case 'completed': {
      const applied = run.applied;
      const changed = run.changed;
      // Records written before these were kept: say what the status says.
      if (applied === undefined || changed === undefined || changed.length === 0) return view('completed');
      if (applied.length === 0) return view('not applied', 'completed, nothing applied');
      const missing = changed.filter((path) => !applied.includes(path)).length;
      if (missing > 0) return view('partly applied', `partly applied (${applied.length} of ${changed.length} files)`);
      return view('completed');
    }
  }
}

/** "cancelled" or "cancelled after applying 2 files": a run that stopped may still have landed work. */
function appliedSuffix(word: string, run: Pick<RunMeta, 'applied'>): string {
  const applied = run.applied?.length ?? 0;
  return applied > 0 ? `${word} after applying ${count(applied, 'file')}` : word;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
