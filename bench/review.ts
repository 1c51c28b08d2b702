/**
 * What the reviewer adds per step (`plumbline.review.mode` `steps`): the greeter refactor through
 * the real CLI with `--review steps`, the scripted reviewer approving each step after one read.
 * Tokens are every reviewer call's (input, output, cache) as the review records them; time is
 * each review's duration, which the step waits for (the review sits on its critical path).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeModelServer, type ScenarioInput } from '../test/fake-model/index';
import { eventsOf, runCli } from './cli';
import { fixtureRepo, repoRoot } from './repo';
import { measured, median, type Figure } from './stats';

const TASK = 'Rename greet to welcome and farewell to goodbye';

/** The greeter scenario with a reviewer that reads a file and approves; listed first, its system prompt picks it. */
export function scenario(): ScenarioInput {
  const base = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json'), 'utf8')) as ScenarioInput;
  const review = [
    { content: [{ tool: 'read_file', arguments: { path: 'src/greet.js' } }] },
    { content: [{ tool: 'submit_review', arguments: { verdict: 'approve', findings: [], summary: 'The step does what it asks and nothing else.' } }] },
  ];
  // One read and one verdict per step's review (the greeter has three steps).
  const reviewer = { match: { system: "You are Plumbline's reviewer" }, turns: [...review, ...review, ...review], onExhausted: 'repeatLast' as const };
  return { ...base, name: 'bench-review', roles: { reviewer, ...base.roles } };
}

interface ReviewSample {
  readonly tokensPerStep: number;
  readonly msPerStep: number;
  readonly steps: number;
}

async function sample(): Promise<ReviewSample> {
  const server = await startFakeModelServer({ scenario: scenario() });
  const repo = fixtureRepo('greeter');
  try {
    const outcome = await runCli(server, repo.root, TASK, ['--approve', 'never', '--yes', '--parallel', '1', '--review', 'steps']);
    if (outcome.code !== 0) throw new Error(`the reviewed greeter run exited ${String(outcome.code)}: ${outcome.stderr}`);
    const reviews = eventsOf(outcome.events, 'review').map(({ event }) => event.review);
    if (reviews.length === 0) throw new Error('the run made no review');
    const steps = new Set(eventsOf(outcome.events, 'review').map(({ event }) => event.stepId)).size;
    return {
      tokensPerStep: reviews.reduce((sum, review) => sum + review.tokens, 0) / steps,
      msPerStep: reviews.reduce((sum, review) => sum + review.durationMs, 0) / steps,
      steps,
    };
  } finally {
    await server.close();
    repo.remove();
  }
}

export async function reviewFigures(runs: number): Promise<Figure[]> {
  const samples: ReviewSample[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await sample());
  const steps = median(samples.map((entry) => entry.steps));
  return [
    measured({
      id: 'review.tokensPerStep',
      name: "Reviewer's added tokens per step (greeter, --review steps)",
      unit: 'tokens',
      target: 8000,
      comparison: 'max',
      samples: samples.map((entry) => entry.tokensPerStep),
      note: `every reviewer call's tokens (input, output, cache) over ${String(steps)} reviewed steps; two calls per review (read_file, submit_review) on the fake server, whose token counts are the request's size / 4; ${String(runs)} runs`,
    }),
    measured({
      id: 'review.msPerStep',
      name: "Reviewer's added time per step (greeter, --review steps)",
      unit: 'ms',
      target: 1000,
      comparison: 'max',
      samples: samples.map((entry) => entry.msPerStep),
      note: `each review's duration (objective checks, the brief, two fake-model calls at the scenario's latency), which the step waits for; ${String(runs)} runs`,
    }),
  ];
}
