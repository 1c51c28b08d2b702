import { runsListRequest } from '../protocol/methods';
import { startServerSession } from './serverConnection';
import { paint, type Terminal } from './terminal';

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
    for (const run of runs) {
      const color = run.status === 'completed' ? 'green' : run.status === 'failed' ? 'red' : 'yellow';
      terminal.write(
        `${run.runId}  ${paint(terminal, color, run.status.padEnd(17))} ${run.stepsDone}/${run.stepsTotal} steps  $${run.costUsd.toFixed(4)}  ${run.task.split('\n')[0] ?? ''}\n`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}
