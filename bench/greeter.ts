/**
 * The scripted greeter refactor through the real CLI (`--approve never --parallel 1`), measured
 * several times: prompt figures, harness overhead per step, verification overhead and the delay
 * from the plan's model response to the plan on the CLI's output.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startFakeModelServer, type RecordedRequest } from '../test/fake-model/index';
import { eventsOf, runCli, type CliOutcome } from './cli';
import { editCalls, fixedPromptTokens, minimalDiff, prefixReuse, sharedFixedPrefix, tokens } from './prompt';
import { fixtureRepo, repoRoot } from './repo';
import { measured, median, now, unionLength, type Figure } from './stats';

const TASK = 'Rename greet to welcome and farewell to goodbye';

interface GreeterSample {
  readonly outcome: CliOutcome;
  readonly requests: RecordedRequest[];
  readonly directTestMs: Map<string, number>;
}

function timeCommand(command: string, cwd: string, times: number): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const start = now();
    spawnSync('sh', ['-c', command], { cwd, stdio: 'ignore' });
    samples.push(now() - start);
  }
  return median(samples);
}

async function sample(): Promise<GreeterSample> {
  const server = await startFakeModelServer({ scenario: join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json') });
  const repo = fixtureRepo('greeter');
  try {
    const outcome = await runCli(server, repo.root, TASK, ['--approve', 'never', '--yes', '--parallel', '1']);
    if (outcome.code !== 0) throw new Error(`the greeter run exited ${String(outcome.code)}: ${outcome.stderr}`);
    // The same commands, run directly in the (unchanged: dry run) repository.
    const directTestMs = new Map<string, number>();
    for (const { event } of eventsOf(outcome.events, 'verification')) {
      const command = event.evidence.command;
      if (command !== null && !directTestMs.has(command)) directTestMs.set(command, timeCommand(command, repo.root, 3));
    }
    return { outcome, requests: server.requests(), directTestMs };
  } finally {
    await server.close();
    repo.remove();
  }
}

export interface Overhead {
  /** Run wall-clock not covered by a model request or a test command, in ms. */
  readonly totalMs: number;
  /** Per agent step: one model turn and the tool calls it makes (what the target counts). */
  readonly perTurnMs: number;
  /** Per step of the plan (each several turns, a verification, plan updates). */
  readonly perPlanStepMs: number;
}

/** Each test command's interval (epoch ms): the runs a verdict rests on, else the verification's own duration up to its event. */
export function testIntervals(outcome: CliOutcome): (readonly [number, number])[] {
  return eventsOf(outcome.events, 'verification').flatMap(({ at, event }) => {
    const runs = event.evidence.runs ?? [];
    if (runs.length === 0) return [[at - event.evidence.durationMs, at] as const];
    return runs.map((run) => {
      const start = run.startedAt === undefined ? at - run.durationMs : Date.parse(run.startedAt);
      return [start, start + run.durationMs] as const;
    });
  });
}

/**
 * The time the run spends on Plumbline itself: run/started → run/finished at the parent, less every
 * moment a model request or a test command was under way (the union of both, so a baseline that
 * runs while the orchestrator plans, or test runs side by side, are not subtracted twice).
 */
export function overheadOf(outcome: CliOutcome, requests: readonly RecordedRequest[]): Overhead {
  const started = eventsOf(outcome.events, 'run/started')[0]?.at ?? outcome.startedAt;
  const finished = eventsOf(outcome.events, 'run/finished')[0]?.at ?? outcome.exitedAt;
  const clip = ([from, to]: readonly [number, number]): readonly [number, number] => [Math.min(Math.max(from, started), finished), Math.min(Math.max(to, started), finished)];
  const model = requests.map((request) => [request.arrivedAt, request.completedAt ?? request.arrivedAt] as const);
  const busy = unionLength([...model, ...testIntervals(outcome)].map(clip));
  const totalMs = finished - started - busy;
  const steps = eventsOf(outcome.events, 'step/finished').length;
  return { totalMs, perTurnMs: totalMs / Math.max(1, requests.length), perPlanStepMs: totalMs / Math.max(1, steps) };
}

/** The overhead figure: per agent step (model turn), with the per-plan-step view in the note. */
export function overheadFigure(id: string, name: string, overheads: readonly Overhead[], turns: number, planSteps: number, what: string): Figure {
  const perPlanStep = median(overheads.map((overhead) => overhead.perPlanStepMs));
  return measured({
    id,
    name,
    unit: 'ms',
    target: 20,
    comparison: 'max',
    samples: overheads.map((overhead) => overhead.perTurnMs),
    note:
      `the time the user waits on Plumbline itself: run/started→run/finished at the parent during which neither a model request (fake server) nor a test command (the evidence's runs) was under way, ` +
      `divided by the ${turns} model turns (agent steps); median total ${median(overheads.map((overhead) => overhead.totalMs)).toFixed(0)} ms = ${perPlanStep.toFixed(0)} ms per plan step (${planSteps} steps); ${what}; ${overheads.length} runs`,
  });
}

function planDelay(outcome: CliOutcome, requests: readonly RecordedRequest[]): number {
  const orchestrator = requests.filter((request) => request.role === 'orchestrator');
  const submit = orchestrator.at(-1)?.completedAt ?? Number.NaN;
  const firstPlan = eventsOf(outcome.events, 'plan/updated').find(({ at }) => at >= submit);
  return (firstPlan?.at ?? Number.NaN) - submit;
}

export async function greeterFigures(runs: number): Promise<Figure[]> {
  const samples: GreeterSample[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await sample());

  const first = samples[0];
  if (first === undefined) throw new Error('no greeter run');
  const byRole = (requests: readonly RecordedRequest[], role: string): RecordedRequest[] => requests.filter((request) => request.role === role);
  const workerRoles = [...new Set(first.requests.flatMap((request) => (request.role?.startsWith('worker') === true ? [request.role] : [])))];
  const orchestrator0 = byRole(first.requests, 'orchestrator')[0];
  const worker0 = first.requests.find((request) => request.role?.startsWith('worker') === true);
  if (orchestrator0 === undefined || worker0 === undefined) throw new Error('the greeter run made no orchestrator or worker request');
  const orchTokens = fixedPromptTokens(orchestrator0);
  const workerTokens = fixedPromptTokens(worker0);

  const reuse = [byRole(first.requests, 'orchestrator'), ...workerRoles.map((role) => byRole(first.requests, role))].flatMap((conversation) => prefixReuse(conversation));
  const firstOfWorkers = workerRoles.flatMap((role) => byRole(first.requests, role).slice(0, 1));
  const crossWorker = firstOfWorkers.slice(1).map((other) => sharedFixedPrefix(firstOfWorkers[0] ?? other, other));

  // A verification's wall-clock as the client sees it: from the event before it (the plan update
  // that marks the step as verifying, or for the baseline the note naming the command) to the
  // verification event; so the copy's set-up (baseline), reset and apply, the command and parsing.
  const verifications = samples.flatMap(({ outcome, directTestMs }) =>
    outcome.events.flatMap((timed, index) => {
      if (timed.event.type !== 'verification') return [];
      const { evidence } = timed.event;
      const direct = evidence.command === null ? undefined : directTestMs.get(evidence.command);
      const previous = outcome.events[index - 1];
      if (direct === undefined || previous === undefined) return [];
      const wall = timed.at - previous.at;
      return [{ overhead: wall - direct, direct, commandOnly: evidence.durationMs - direct, baseline: timed.event.stepId === undefined }];
    }),
  );
  const overheadMs = verifications.map((entry) => entry.overhead);
  const overheadPct = verifications.map((entry) => (100 * entry.overhead) / entry.direct);
  const pct = median(overheadPct);
  const baselineOverhead = median(verifications.filter((entry) => entry.baseline).map((entry) => entry.overhead));
  const commandOnly = median(verifications.map((entry) => entry.commandOnly));

  // Output tokens of each file's edit_file calls against its minimal diff (changed lines only).
  const calls = editCalls(first.requests);
  const edits = eventsOf(first.outcome.events, 'changes').flatMap(({ event }) => event.files).flatMap((file) => {
    const args = calls.get(file.path);
    const minimal = tokens(`${file.path}\n${minimalDiff(file.hunks)}`);
    return args === undefined || minimal === 0 ? [] : [{ path: file.path, output: args.reduce((sum, json) => sum + tokens(json), 0), minimal }];
  });

  return [
    measured({
      id: 'edits.outputTokens',
      name: 'Output tokens per edit vs the minimal diff (edit_file arguments)',
      unit: '×',
      target: 1.5,
      comparison: 'max',
      samples: edits.map((edit) => edit.output / edit.minimal),
      note: `o200k_base; per file: tokens of its edit_file call arguments (JSON, as the model streams them) ÷ tokens of the minimal diff: the path once and the changed lines (- and + lines, no context or hunk headers); ${edits.map((edit) => `${edit.path} ${edit.output}/${edit.minimal}`).join(', ')}; the scripted model writes each hunk as the changed lines only (no context lines: they are unique on their own), so this measures the edit format, not a model's habits; deterministic`,
    }),
    measured({ id: 'prompt.orchestrator', name: 'Fixed prompt, 1st orchestrator request (system+tools)', unit: 'tokens', target: 2000, comparison: 'max', samples: [orchTokens.tokens], note: `o200k_base; system ${orchTokens.systemTokens} + ${orchTokens.tools} tools ${orchTokens.toolTokens}; deterministic, 1 sample` }),
    measured({ id: 'prompt.worker', name: 'Fixed prompt, 1st worker request (system+tools)', unit: 'tokens', target: 1000, comparison: 'max', samples: [workerTokens.tokens], note: `o200k_base; system ${workerTokens.systemTokens} + ${workerTokens.tools} tools ${workerTokens.toolTokens}; deterministic, 1 sample` }),
    { ...measured({ id: 'prefix.sameRole', name: 'Prefix reuse vs previous request, same conversation (worst)', unit: '%', target: 99, comparison: 'min', samples: [], note: '' }), value: reuse.length === 0 ? null : 100 * Math.min(...reuse), samples: reuse.map((share) => 100 * share), note: `${reuse.length} follow-up requests (orchestrator + ${workerRoles.length} workers); value = minimum, not median` },
    { ...measured({ id: 'prefix.crossWorker', name: "Prefix reuse across workers (tools+system of 1st worker's 1st request)", unit: '%', target: 99, comparison: 'min', samples: [], note: '' }), value: crossWorker.length === 0 ? null : 100 * Math.min(...crossWorker), samples: crossWorker.map((share) => 100 * share), note: `${crossWorker.length} other workers' first requests; value = minimum` },
    overheadFigure('overhead.perStep', 'Harness overhead per agent step (greeter, tests on, --parallel 1)', samples.map(({ outcome, requests }) => overheadOf(outcome, requests)), first.requests.length, eventsOf(first.outcome.events, 'step/finished').length, 'includes isolation of the workspace copy, the baseline test run\'s set-up, plan updates, CLI/server event plumbing'),
    { ...measured({ id: 'verify.overhead', name: 'Verification overhead beyond the raw test command', unit: 'ms', target: 300, comparison: 'max', samples: overheadMs, note: '' }), note: `verification wall-clock at the client (previous event → verification event: copy set-up for the baseline, reset + apply, the command, parsing) minus the same command run directly in the repository (sh -c, median of 3); median ${pct.toFixed(1)}%; baseline (with the copy's creation) ${baselineOverhead.toFixed(0)} ms; the command alone inside the copy (evidence durationMs) ${commandOnly.toFixed(0)} ms over direct; passes at ≤300 ms or ≤10%; ${overheadMs.length} verifications`, alsoPassIf: pct <= 10 },
    measured({ id: 'plan.toScreen', name: 'submit_plan response complete → first plan/updated line at the CLI', unit: 'ms', target: 100, comparison: 'max', samples: samples.map(({ outcome, requests }) => planDelay(outcome, requests)), note: `fake server completedAt vs --json line arrival in the parent; ${runs} runs` }),
  ];
}
