import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listRuns } from '../../src/agent/run/runStore';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { atBarrier, Barrier, editFarewell, editGreet, editTests, finish, greeterFiles, renameFarewell, renameGreet, submitPlan, updateTests } from './support/engineFixtures';
import { calls } from './support/scriptedModel';

/** Consecutive repeats collapsed: the states a sequence went through. */
function states<T>(values: readonly T[]): T[] {
  return values.filter((value, index) => index === 0 || values[index - 1] !== value);
}

describe('RunEngine in process: plan, approve, parallel steps, land', () => {
  test('auto mode: s1 and s2 run at once, s3 after both, everything lands and the run settles its records', async () => {
    const barrier = new Barrier(2);
    const met: boolean[] = [];
    let reviews = 0;
    const run = engineRun({
      files: greeterFiles,
      task: 'Rename greet to welcome and farewell to goodbye',
      script: {
        orchestrator: [calls(['read_file', { path: 'test/greet.test.js' }]), submitPlan('Rename both, then the tests.', [renameGreet, renameFarewell, updateTests])],
        workers: {
          s1: [atBarrier(editGreet, barrier, met), finish('Renamed greet to welcome.')],
          s2: [atBarrier(editFarewell, barrier, met), finish('Renamed farewell to goodbye.')],
          s3: [editTests, finish('The tests use the new names.')],
        },
      },
      host: {
        review: () => {
          reviews += 1;
          return Promise.resolve({ decisions: [] });
        },
      },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(run.model.exhausted, []);

      // s1 and s2 were in flight together; s3 started only after both had finished.
      assert.deepEqual(met, [true, true], 'the two workers met: they ran in parallel');
      const index = (predicate: (event: (typeof run.events)[number]) => boolean): number => run.events.findIndex(predicate);
      const s3Started = index((event) => event.type === 'step/started' && event.stepId === 's3');
      for (const id of ['s1', 's2']) assert.ok(index((event) => event.type === 'step/finished' && event.stepId === id) < s3Started, `${id} finished before s3 started`);

      // The lifecycle in its events: phases, plan states, one batch of changes after the last step, run/finished last.
      assert.deepEqual(states(run.of('run/phase').map((event) => event.phase)), ['exploring', 'awaiting_approval', 'executing', 'finished']);
      assert.deepEqual(states(run.of('plan/updated').map((event) => event.plan.status)), ['draft', 'running', 'completed']);
      for (const id of ['s1', 's2', 's3']) assert.equal(run.of('step/finished').find((event) => event.stepId === id)?.status, 'done');
      const changes = run.of('changes');
      assert.equal(changes.length, 1);
      assert.deepEqual(changes[0]?.files.map((file) => file.path), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
      assert.ok(index((event) => event.type === 'changes') > index((event) => event.type === 'step/finished' && event.stepId === 's3'));
      assert.equal(run.events.at(-1)?.type, 'run/finished');
      const finished = run.of('run/finished')[0];
      assert.equal(finished?.status, 'completed');
      assert.deepEqual([...(finished?.applied ?? [])].sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);

      // Auto mode asked nobody and landed every file, once.
      assert.equal(reviews, 0);
      assert.equal(run.applied.length, 1);
      assert.deepEqual([...result.applied].sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
      assert.match(run.workspace.text('src/greet.js') ?? '', /^function welcome\(name\) \{$/m);
      assert.match(run.workspace.text('src/farewell.js') ?? '', /module\.exports = \{ goodbye \};/);
      assert.match(run.workspace.text('test/greet.test.js') ?? '', /welcome\('Ada'\)/);

      // The orchestrator read through the workspace port; each worker got its step's brief.
      assert.equal(run.of('tool/result').find((event) => event.role === 'orchestrator' && event.tool === 'read_file')?.ok, true);
      assert.equal(run.model.of('worker-s3').length, 2);

      // The records: run.json says completed, plan.md is final, the journal is closed, the lock is gone.
      const [meta] = await listRuns(run.root);
      assert.equal(meta?.status, 'completed');
      assert.equal(meta?.stepsDone, 3);
      assert.match(run.planMarkdown(), /\*\*Status:\*\* completed/);
      assert.equal(run.journal().at(-1)?.kind, 'finished');
      assert.ok(!existsSync(join(run.root, '.plumbline', 'run.lock')), 'the workspace lock is released');
      assert.match(readFileSync(join(run.root, '.plumbline', 'runs', run.runId, 'checkpoint', 'manifest.json'), 'utf8'), /src\/greet\.js/);
    } finally {
      run.remove();
    }
  });

  test('step mode: each step is reviewed as it finishes, and what the user rejects stays out', async () => {
    const asked: string[][] = [];
    const run = engineRun({
      files: greeterFiles,
      approve: 'step',
      maxParallel: 1,
      script: {
        orchestrator: [submitPlan('Rename both.', [renameGreet, renameFarewell])],
        workers: { s1: [editGreet, finish('Renamed greet.')], s2: [editFarewell, finish('Renamed farewell.')] },
      },
      host: {
        review: (files) => {
          asked.push(files.map((file) => file.path));
          // The user takes s1's change and rejects s2's.
          return Promise.resolve({ decisions: files.filter((file) => file.path === 'src/greet.js').map((file) => ({ path: file.path, hunks: 'all' as const })) });
        },
      },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(asked, [['src/greet.js'], ['src/farewell.js']]);
      assert.deepEqual(result.applied, ['src/greet.js']);
      assert.equal(run.workspace.text('src/farewell.js'), greeterFiles['src/farewell.js']);
      assert.deepEqual(run.of('review/decided').map((event) => event.rejected), [[], ['src/farewell.js']]);
      assert.ok(run.of('run/phase').some((event) => event.phase === 'reviewing'));
      assert.match(run.planMarkdown(), /Review: not accepted in src\/farewell\.js\./);
    } finally {
      run.remove();
    }
  });
});

describe('RunEngine in process: verification that cannot prove a step', () => {
  test('no test command: the plan says so, each step is unverified, not failed, and still lands', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed greet.')] } },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      const verifications = run.of('verification');
      assert.deepEqual(verifications.map((event) => [event.stepId, event.attempt, event.evidence.verdict]), [['s1', 1, 'unverified']]);
      assert.match(verifications[0]?.evidence.reason ?? '', /No test command was found/);
      assert.match(run.planMarkdown(), /No test command was found, so steps cannot be verified/);
      assert.match(run.planMarkdown(), /Tests and commands run sandboxed \(a test double\)/);
      assert.equal(run.of('step/finished')[0]?.status, 'done');
      assert.deepEqual(result.applied, ['src/greet.js']);
    } finally {
      run.remove();
    }
  });

  test('a verifier that can run nothing for a step (unverified) does not fail it, and the worker is not asked to fix anything', async () => {
    const verifier = fakeVerifier(() => evidence('unverified', 'The command ran no tests: the project has none to prove this step.'));
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed greet.')] } },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(run.of('verification').map((event) => [event.stepId, event.evidence.verdict]), [[undefined, 'passed'], ['s1', 'unverified']]);
      assert.equal(run.model.of('worker-s1').length, 2, 'no retry: only its edit and its finish');
      assert.equal(verifier.verified.length, 1);
      assert.equal(verifier.options[0]?.root, run.root);
      assert.ok(verifier.disposed, 'the verifier is disposed of when the run ends');
      assert.deepEqual(verifier.landed.map((change) => change.path), ['src/greet.js']);
    } finally {
      run.remove();
    }
  });
});
