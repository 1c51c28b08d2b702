/**
 * Waves and steps that finish moments apart: a wave ready to start waits a short window for the
 * steps whose workers are still working (`expect`), so parallel steps that finish a little apart
 * share one full-suite run; a step that keeps working (or ends without asking for a verdict) delays
 * the wave by the window at most. On a scripted runner: no processes, the timing is the waves' own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyLease } from '../../src/agent/verify/copyPool';
import { VerificationWaves, type JudgedRun, type WaveRequest } from '../../src/agent/verify/verificationWaves';
import { coalescingWindowMs } from '../../src/agent/verify/stepVerifier';
import type { TestEvidence } from '../../src/protocol/testEvidence';

const passed: TestEvidence = { verdict: 'passed', reason: 'The suite passes.', command: 'npm test', exitCode: 0, durationMs: 5, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] };

/** A runner whose full runs pass at once, recording which steps each held and when it started. */
function scriptedRunner(windowMs: number): { runner: ConstructorParameters<typeof VerificationWaves>[0]; runs: { steps: readonly string[]; at: number }[] } {
  const runs: { steps: readonly string[]; at: number }[] = [];
  const lease: CopyLease = { stage: () => Promise.resolve('/copy'), run: () => Promise.reject(new Error('not used')), release: () => undefined };
  const runner = {
    acquire: () => Promise.resolve(lease),
    full: (_lease: CopyLease | undefined, _changes: unknown, _removes: unknown, steps: readonly string[]): Promise<JudgedRun> => {
      runs.push({ steps: [...steps], at: performance.now() });
      return Promise.resolve({ evidence: passed, run: { kind: 'full', steps: [...steps], command: 'npm test', verdict: 'passed', durationMs: 5 } });
    },
    coalesceMs: () => windowMs,
  };
  return { runner, runs };
}

const request = (stepId: string): WaveRequest => ({ stepId, base: [], own: [], removesTests: [], runs: [] });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('two parallel steps that finish 150 ms apart share one full run when the first waits for the other', async () => {
  const { runner, runs } = scriptedRunner(2000);
  const waves = new VerificationWaves(runner);
  waves.expect('s1');
  waves.expect('s2');
  const first = waves.enter('s1').submit(request('s1'));
  await sleep(150);
  const second = waves.enter('s2').submit(request('s2'));
  await Promise.all([first, second]);
  assert.deepEqual(runs.map((run) => run.steps), [['s1', 's2']], 'one wave held both steps');
  assert.equal(waves.fullRuns, 1);
});

test('a wave waits no longer than the window for a step still working, then starts without it', async () => {
  const { runner, runs } = scriptedRunner(300);
  const waves = new VerificationWaves(runner);
  waves.expect('s1');
  waves.expect('s2');
  const started = performance.now();
  await waves.enter('s1').submit(request('s1'));
  const waited = (runs[0]?.at ?? Number.NaN) - started;
  assert.deepEqual(runs.map((run) => run.steps), [['s1']]);
  assert.ok(waited >= 290 && waited < 1500, `the wave started after the window, not before or much later (${waited.toFixed(0)} ms)`);
});

test('a step that ends without asking for a verdict stops the wait at once', async () => {
  const { runner, runs } = scriptedRunner(5000);
  const waves = new VerificationWaves(runner);
  waves.expect('s1');
  const withdraw = waves.expect('s2');
  const started = performance.now();
  const first = waves.enter('s1').submit(request('s1'));
  await sleep(50);
  withdraw();
  await first;
  assert.deepEqual(runs.map((run) => run.steps), [['s1']]);
  assert.ok((runs[0]?.at ?? Number.POSITIVE_INFINITY) - started < 1000, 'the wave did not wait out the 5 s window');
});

test('with no step expected a wave starts at once (a lone step, or a retry after a failed attempt)', async () => {
  const { runner, runs } = scriptedRunner(5000);
  const waves = new VerificationWaves(runner);
  const started = performance.now();
  await waves.enter('s1').submit(request('s1'));
  assert.ok((runs[0]?.at ?? Number.POSITIVE_INFINITY) - started < 500);
});

test('the window is a quarter of a suite run, between 250 ms and 3 s, and 1 s before the suite has been timed', () => {
  assert.equal(coalescingWindowMs(undefined), 1000);
  assert.equal(coalescingWindowMs(400), 250);
  assert.equal(coalescingWindowMs(4000), 1000);
  assert.equal(coalescingWindowMs(60_000), 3000);
});
