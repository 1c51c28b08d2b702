import type { RunMeta } from '../../protocol/run';
import { Checkpoint, type UndoReport } from './checkpoint';
import { listRuns, readPlanFile, readRunMeta, writePlanFile, writeRunMeta } from './runStore';

/** Undo's answer: what it restored and kept, and when it restored nothing, why, in a sentence. */
export interface RunUndoOutcome extends UndoReport {
  readonly nothingToRestore?: string;
}

/**
 * Undoes a finished run and says so where people look afterwards: run.json gets `undone` (so every
 * list reads "undone", and Undo is not offered again) and plan.md's status line says it was undone.
 * A second undo restores nothing and says why instead of "restored 0 files".
 */
export async function undoRun(root: string, runId: string, now: () => Date = () => new Date()): Promise<RunUndoOutcome> {
  const meta = await readRunMeta(root, runId);
  const report = await new Checkpoint(root, runId).undo();
  if (report.restored.length > 0) {
    const undone = { at: now().toISOString(), restored: [...report.restored], kept: report.skipped.map((entry) => entry.path) };
    if (meta !== undefined) {
      const { restorable: _computed, ...stored } = meta;
      await writeRunMeta(root, { ...stored, undone });
    }
    const plan = await readPlanFile(root, runId);
    if (plan !== undefined) await writePlanFile(root, runId, markPlanUndone(plan, undone));
    return report;
  }
  if (report.skipped.length > 0) return report;
  return { ...report, nothingToRestore: nothingToRestore(runId, meta) };
}

function nothingToRestore(runId: string, meta: RunMeta | undefined): string {
  if (meta?.undone !== undefined) return `Run ${runId} was already undone (${meta.undone.at.slice(0, 16).replace('T', ' ')} UTC): there is nothing left to restore.`;
  return `Run ${runId} left nothing in your files to restore (nothing it wrote is still there).`;
}

/** plan.md's status line, rewritten to say the run was undone (the rest of the document is kept as it was). */
export function markPlanUndone(markdown: string, undone: NonNullable<RunMeta['undone']>): string {
  const kept = undone.kept.length > 0 ? `; kept your later edits in ${undone.kept.join(', ')}` : '';
  const note = `undone at ${undone.at.slice(0, 16).replace('T', ' ')} UTC (restored ${undone.restored.join(', ')}${kept})`;
  const lines = markdown.split('\n');
  const index = lines.findIndex((line) => line.startsWith('**Status:** '));
  if (index === -1) return `**Status:** ${note}\n\n${markdown}`;
  lines[index] = `**Status:** ${note} · before: ${lines[index]?.slice('**Status:** '.length) ?? ''}`;
  return lines.join('\n');
}

/**
 * The workspace's runs, newest first, each with `restorable`: the files undo would restore now.
 * Only runs that applied something and were not undone are checked against the disk.
 */
export async function listRunsWithUndo(root: string): Promise<RunMeta[]> {
  const runs = await listRuns(root);
  return Promise.all(
    runs.map(async (run) => {
      if (run.undone !== undefined || (run.applied !== undefined && run.applied.length === 0)) return { ...run, restorable: [] };
      const preview = await new Checkpoint(root, run.runId).preview().catch(() => ({ restored: [] }));
      return { ...run, restorable: [...preview.restored] };
    }),
  );
}
