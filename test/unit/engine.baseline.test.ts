import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { editGreet, finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';

describe('RunEngine in process: the baseline', () => {
  test('the baseline starts while the orchestrator plans, and the first step starts before it ends', async () => {
    const verifier = fakeVerifier(() => evidence('passed', 'The tests pass (exit code 0, 2 passed).', { passed: 2, total: 2 }));
    const times: Record<string, number> = {};
    let baselineStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      baselineStarted = resolve;
    });
    let releaseBaseline: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      releaseBaseline = resolve;
    });
    verifier.runBaseline = async () => {
      times.baselineStarted = performance.now();
      baselineStarted();
      await held;
      times.baselineEnded = performance.now();
      return evidence('passed', 'The suite passes before the run.');
    };
    // The plan is submitted once the baseline has started (or after 5 s, when it never would before the approval).
    const plan = {
      ...submitPlan('Rename greet.', [renameGreet]),
      before: async () => {
        await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 5000))]);
        times.planSubmitted = performance.now();
      },
    };
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [plan], workers: { s1: [editGreet, finish('Renamed.')] } },
      host: {
        createVerifier: verifier.create,
        approvePlan: () => {
          times.approved = performance.now();
          return Promise.resolve({ kind: 'approve' });
        },
      },
    });
    try {
      const running = run.run();
      await run.waitFor('step/started');
      times.stepStarted = performance.now();
      releaseBaseline();
      const result = await running;
      assert.equal(result.status, 'completed', result.reason);
      const at = (name: string): number => times[name] ?? Number.NaN;
      assert.ok(at('baselineStarted') < at('planSubmitted'), 'the baseline started while the orchestrator was planning');
      assert.ok(at('planSubmitted') < at('approved'));
      assert.ok(at('stepStarted') < at('baselineEnded'), 'the first step started before the baseline ended');
      // The baseline's result is reported (first), then the step's verdict.
      assert.deepEqual(
        run.of('verification').map((event) => [event.stepId, event.evidence.verdict]),
        [
          [undefined, 'passed'],
          ['s1', 'passed'],
        ],
      );
    } finally {
      run.remove();
    }
  });

  test('a reused baseline is said in the plan, with when it was taken', async () => {
    const verifier = fakeVerifier(() => evidence('passed', 'The tests pass (exit code 0, 1 passed).', { passed: 1, total: 1 }));
    verifier.runBaseline = () => Promise.resolve(evidence('passed', 'The suite passes before the run.', { cachedFrom: '2026-12-07T09:00:00.000Z' }));
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed.')] } },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.match(run.planMarkdown(), /reused from 2026-12-07T09:00:00\.000Z/);
    } finally {
      run.remove();
    }
  });
});
