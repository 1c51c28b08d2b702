import { runsListRequest, runUndoRequest } from '../protocol/methods';
import { describeCost } from '../protocol/cost';
import { startServerSession } from './serverConnection';
import type { RunMeta } from '../protocol/run';
import { runStateOf } from '../protocol/runState';
import { paint, safeForTerminal, type Terminal } from './terminal';

/**
 * One line of `plumbline runs`: id, state (what the run left in the files: "partly applied (1 of 2
 * files)", "undone (2 files restored)"), steps, cost, task, and what can be done with it. Task text
 * is the user's, but a run started elsewhere may carry anything: it goes through `safeForTerminal`.
 */
export function describeRunLine(run: RunMeta, terminal: Terminal): string {
  const state = runStateOf(run);
  const color = state.state === 'completed' ? 'green' : state.state === 'failed' ? 'red' : state.state === 'undone' ? 'dim' : 'yellow';
  const next = [state.canResume ? 'resumable' : '', state.canUndo ? 'undoable' : ''].filter((word) => word !== '').join(', ');
  const task = safeForTerminal(run.task.split('\n')[0] ?? '');
  return `${run.runId}  ${paint(terminal, color, state.label.padEnd(24))} ${run.stepsDone}/${run.stepsTotal} steps  ${describeCost({ usd: run.costUsd, unpricedCalls: run.unpricedCalls ?? 0, ...(run.tokens !== undefined ? { tokens: run.tokens } : {}) })}  ${task}${next !== '' ? `  [${next}]` : ''}`;
}

/** `plumbline runs`: the workspace's past runs, newest first. */
export async function runsCommand(options: { cwd: string; json: boolean; timeoutMs: number }, terminal: Terminal): Promise<number> {
  const session = await startServerSession({ workspaceFolder: options.cwd, timeoutMs: options.timeoutMs });
  try {
    const { runs } = await session.request(runsListRequest, {});
    if (options.json) {
      terminal.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      terminal.write('No runs yet in this workspace.\n');
      return 0;
    }
    for (const run of runs) terminal.write(`${describeRunLine(run, terminal)}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/** `plumbline undo <run-id>`: restores the files a run changed, except ones edited since. */
export async function undoCommand(options: { cwd: string; runId: string; json: boolean; timeoutMs: number }, terminal: Terminal): Promise<number> {
  const session = await startServerSession({ workspaceFolder: options.cwd, timeoutMs: options.timeoutMs });
  try {
    const report = await session.request(runUndoRequest, { runId: options.runId });
    if (options.json) terminal.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const path of report.restored) terminal.write(`${paint(terminal, 'green', 'restored')} ${path}\n`);
      for (const { path, reason } of report.skipped) terminal.write(`${paint(terminal, 'yellow', 'kept')}     ${path}: ${reason}\n`);
      if (report.restored.length === 0 && report.skipped.length === 0) terminal.write(`${report.nothingToRestore ?? 'The run changed no files.'}\n`);
    }
    return report.skipped.length > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`plumbline: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await session.close();
  }
}
