/**
 * Memory after a long synthetic run: the plan's maximum of independent steps, each worker reading
 * its file once before editing, zero model latency. The agent server's peak resident set
 * (VmHWM from /proc, an upper bound of its heap) against the size of the run's transcript on disk.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { maxSteps } from '../src/protocol/plan';
import { startFakeModelServer } from '../test/fake-model/index';
import { eventsOf, runCli } from './cli';
import { generatedRepo } from './repo';
import { independentSteps } from './scenarios';
import { folderBytes, measured, notMeasured, type Figure } from './stats';

const READS = 1; // more identical reads trip the worker's repeated-call guard
const MB = 1024 * 1024;

export async function memoryFigure(): Promise<Figure> {
  const name = `Agent server peak RSS after ${maxSteps} steps × ${READS + 2} worker turns`;
  if (!existsSync('/proc/self/status')) return notMeasured('memory.peak', name, 'MB', 0, 'max', 'not measured: needs Linux /proc to read the server process');
  const server = await startFakeModelServer({ scenario: independentSteps({ steps: maxSteps, workerTtftMs: 0, readsPerWorker: READS }) });
  const repo = generatedRepo(maxSteps);
  try {
    const outcome = await runCli(server, repo.root, `Change the value in each of the ${maxSteps} files`, ['--approve', 'never', '--yes', '--parallel', '8'], true);
    const done = eventsOf(outcome.events, 'step/finished').filter(({ event }) => event.status === 'done').length;
    const runId = eventsOf(outcome.events, 'run/started')[0]?.event.runId;
    if (outcome.code !== 0 || runId === undefined || outcome.serverPeakRssBytes === null) {
      return notMeasured('memory.peak', name, 'MB', 0, 'max', `not measured: run exit ${String(outcome.code)}, ${done} steps done: ${outcome.stderr.slice(-200)}`);
    }
    const transcriptBytes = folderBytes(join(repo.root, '.plumbline', 'runs', runId));
    const target = (2 * transcriptBytes) / MB + 50;
    return measured({
      id: 'memory.peak',
      name,
      unit: 'MB',
      target,
      comparison: 'max',
      samples: [outcome.serverPeakRssBytes / MB],
      note: `transcript (.plumbline/runs/<id>) ${(transcriptBytes / 1024).toFixed(0)} KB → target 2×transcript+50 MB; ${done}/${maxSteps} steps done, ${server.requests().length} model requests in ${((outcome.exitedAt - outcome.startedAt) / 1000).toFixed(1)} s; plan cap is ${maxSteps} steps, so not 200; RSS polled every 100 ms (bounds the heap from above); 1 run`,
    });
  } finally {
    await server.close();
    repo.remove();
  }
}
