/**
 * Memory after a 200-step run: the plan's maximum of independent steps (50), each worker taking 4
 * turns (two reads, an edit, finish), so 200 worker turns plus the orchestrator's, with zero model
 * latency. The agent server is started with --expose-gc and asked for `plumbline/status` when the
 * run has finished: its heap after a forced collection, against the size of the run's transcript.
 */
import { join } from 'node:path';
import { maxSteps } from '../src/protocol/plan';
import { runEventNotification, runStartRequest, statusRequest } from '../src/protocol/methods';
import type { RunEvent } from '../src/protocol/run';
import { startServerSession } from '../src/cli/serverConnection';
import { startFakeModelServer } from '../test/fake-model/index';
import { distDir, fakeEnv } from './cli';
import { generatedRepo } from './repo';
import { independentSteps } from './scenarios';
import { measured, notMeasured, type Figure } from './stats';

const READS = 2;
const MB = 1024 * 1024;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * The run's transcript: every conversation's final history (the messages of its last request) and
 * every run event a client received, except that the plan, re-sent whole with each change, counts
 * once (its final version).
 */
function transcriptBytes(requests: readonly { role: string | null; body: unknown }[], events: readonly RunEvent[]): { total: number; messages: number; events: number } {
  const lastByRole = new Map<string, unknown>();
  for (const request of requests) {
    const body = request.body as { messages?: unknown } | null;
    if (request.role !== null && body?.messages !== undefined) lastByRole.set(request.role, body.messages);
  }
  const messages = [...lastByRole.values()].reduce<number>((sum, history) => sum + bytes(history), 0);
  const lastPlan = events.filter((event) => event.type === 'plan/updated').at(-1);
  const eventBytes = events.filter((event) => event.type !== 'plan/updated').reduce((sum, event) => sum + bytes(event), 0) + (lastPlan === undefined ? 0 : bytes(lastPlan));
  return { total: messages + eventBytes, messages, events: eventBytes };
}

export async function memoryFigure(): Promise<Figure> {
  const turns = maxSteps * (READS + 2);
  const name = `Agent server heap after a ${turns}-step run (${maxSteps} plan steps × ${READS + 2} turns), after GC`;
  const server = await startFakeModelServer({ scenario: independentSteps({ steps: maxSteps, workerTtftMs: 0, readsPerWorker: READS }) });
  const repo = generatedRepo(maxSteps);
  const session = await startServerSession({
    serverPath: join(distDir(), 'server.js'),
    workspaceFolder: repo.root,
    timeoutMs: 120_000,
    nodeArgs: ['--expose-gc'],
    env: fakeEnv(server),
    settings: { orchestrator: { provider: 'anthropic' }, worker: { provider: 'anthropic' } },
  });
  try {
    const events: RunEvent[] = [];
    const finished = new Promise<Extract<RunEvent, { type: 'run/finished' }>>((resolve) => {
      session.connection.onNotification(runEventNotification.method, (raw: unknown) => {
        const parsed = runEventNotification.params.safeParse(raw);
        if (!parsed.success) return;
        events.push(parsed.data.event);
        if (parsed.data.event.type === 'run/finished') resolve(parsed.data.event);
      });
    });
    const before = await session.request(statusRequest, {});
    await session.request(runStartRequest, { task: `Change the value in each of the ${maxSteps} files`, approve: 'never', maxParallel: 8, reviewPlan: false });
    const end = await finished;
    const after = await session.request(statusRequest, {});
    const done = events.filter((event) => event.type === 'step/finished' && event.status === 'done').length;
    const workerTurns = server.requests().filter((request) => request.role?.startsWith('worker') === true).length;
    if (end.status !== 'completed' || after.memory === undefined || before.memory === undefined) {
      return notMeasured('memory.heap', name, 'MB', 0, 'max', `not measured: run ${end.status} (${end.reason ?? ''}), ${done} steps done, memory ${after.memory === undefined ? 'not reported' : 'reported'}`);
    }
    const transcript = transcriptBytes(server.requests(), events);
    const heapMb = after.memory.heapUsedBytes / MB;
    return measured({
      id: 'memory.heap',
      name,
      unit: 'MB',
      target: (2 * transcript.total) / MB + 50,
      comparison: 'max',
      samples: [heapMb],
      note:
        `heapUsed ${heapMb.toFixed(1)} MB (idle server before the run ${(before.memory.heapUsedBytes / MB).toFixed(1)} MB; RSS after ${(after.memory.rssBytes / MB).toFixed(0)} MB)${after.memory.afterGc ? ' after gc()' : ' (no gc: not started with --expose-gc)'}; ` +
        `transcript ${(transcript.total / 1024).toFixed(0)} KB = final model histories ${(transcript.messages / 1024).toFixed(0)} KB + run events ${(transcript.events / 1024).toFixed(0)} KB (plan counted once) → target 2×transcript+50 MB; ` +
        `${done}/${maxSteps} steps, ${workerTurns} worker turns, ${server.requests().length} model requests; 1 run (deterministic scenario)`,
    });
  } finally {
    await session.close();
    await server.close();
    repo.remove();
  }
}
