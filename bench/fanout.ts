/**
 * Fan-out: N independent one-file steps (generated repo, no test command, workers answer after
 * `ttftMs`) run with --parallel 1, 2, 4, 8. The execution phase (first step/started to last
 * step/finished, at the parent) is compared with --parallel 1.
 */
import { startFakeModelServer, type RecordedRequest } from '../test/fake-model/index';
import { eventsOf, runCli, type CliOutcome } from './cli';
import { overheadFigure, overheadOf, type Overhead } from './greeter';
import { generatedRepo } from './repo';
import { independentSteps } from './scenarios';
import { measured, median, type Figure } from './stats';

const FILES = 8;
const LEVELS = [1, 2, 4, 8] as const;

interface FanoutSample {
  readonly executionMs: number;
  readonly outcome: CliOutcome;
  readonly requests: RecordedRequest[];
}

async function sample(parallel: number, ttftMs: number): Promise<FanoutSample> {
  const server = await startFakeModelServer({ scenario: independentSteps({ steps: FILES, workerTtftMs: ttftMs, readsPerWorker: 0 }) });
  const repo = generatedRepo(FILES);
  try {
    const outcome = await runCli(server, repo.root, `Change the value in each of the ${FILES} files`, ['--approve', 'never', '--yes', '--parallel', String(parallel)]);
    const done = eventsOf(outcome.events, 'step/finished');
    if (outcome.code !== 0 || done.length !== FILES || done.some(({ event }) => event.status !== 'done')) {
      throw new Error(`fan-out run (--parallel ${parallel}) did not finish all ${FILES} steps (exit ${String(outcome.code)}): ${outcome.stderr}`);
    }
    const start = Math.min(...eventsOf(outcome.events, 'step/started').map(({ at }) => at));
    const end = Math.max(...done.map(({ at }) => at));
    return { executionMs: end - start, outcome, requests: server.requests() };
  } finally {
    await server.close();
    repo.remove();
  }
}

export async function fanoutFigures(runs: number, ttftMs = 300): Promise<Figure[]> {
  const times = new Map<number, number[]>();
  const overheads: Overhead[] = [];
  let turns = 0;
  for (const parallel of LEVELS) {
    const list: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const result = await sample(parallel, ttftMs);
      list.push(result.executionMs);
      if (parallel === 1) {
        overheads.push(overheadOf(result.outcome, result.requests));
        turns = result.requests.length;
      }
    }
    times.set(parallel, list);
  }
  const base = median(times.get(1) ?? []);
  const figures: Figure[] = LEVELS.filter((parallel) => parallel > 1).map((parallel) => {
    const list = times.get(parallel) ?? [];
    const expected = Math.min(FILES, parallel);
    return measured({
      id: `fanout.p${parallel}`,
      name: `Fan-out speedup, ${FILES} independent files, --parallel ${parallel}`,
      unit: '×',
      target: 0.85 * expected,
      comparison: 'min',
      samples: list.map((ms) => base / ms),
      note: `execution phase median ${median(list).toFixed(0)} ms vs ${base.toFixed(0)} ms at --parallel 1; worker ttft ${ttftMs} ms; ${runs} runs each`,
    });
  });
  figures.push(
    overheadFigure('overhead.perStepNoTests', `Harness overhead per agent step (${FILES} plan steps, no test command, --parallel 1)`, overheads, turns, FILES, 'the fan-out runs at --parallel 1'),
  );
  return figures;
}
