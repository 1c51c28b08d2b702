import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listRuns } from '../../src/agent/run/runStore';
import { engineRun } from './support/engineHarness';
import { editFarewell, editGreet, finish, greeterFiles, renameFarewell, renameGreet, submitPlan } from './support/engineFixtures';
import { untilAborted } from './support/scriptedModel';

describe('RunEngine in process: cancellation', () => {
  test('the plan is not approved: the run ends cancelled, no worker starts, nothing lands', async () => {
    let asked = 0;
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed.')] } },
      host: {
        approvePlan: (plan, markdown) => {
          asked += 1;
          assert.equal(plan.status, 'draft');
          assert.match(markdown, /Rename greet to welcome/);
          return Promise.resolve({ kind: 'cancel' });
        },
      },
    });
    try {
      const result = await run.run();
      assert.equal(asked, 1);
      assert.equal(result.status, 'cancelled');
      assert.equal(result.reason, 'The plan was not approved.');
      assert.deepEqual(result.applied, []);
      assert.equal(run.model.of('worker-s1').length, 0, 'no worker was started');
      assert.equal(run.of('step/started').length, 0);
      assert.equal(run.applied.length, 0);
      assert.equal(run.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);
      // The plan as the run settled it (the result's is the plan when the run ended, before settling).
      const settled = run.of('plan/updated').at(-1)?.plan;
      assert.equal(settled?.status, 'cancelled');
      assert.equal(settled?.steps[0]?.status, 'cancelled', 'the step that never ran is settled as cancelled');
      assert.equal(run.events.at(-1)?.type, 'run/finished');
      assert.equal((await listRuns(run.root))[0]?.status, 'cancelled');
      assert.deepEqual(run.journal().at(-1), { kind: 'finished', status: 'cancelled', reason: 'The plan was not approved.' });
    } finally {
      run.remove();
    }
  });

  test('cancelled while steps run: workers stop, nothing staged lands, the run settles and lets go of the workspace', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: {
        orchestrator: [submitPlan('Rename both.', [renameGreet, renameFarewell])],
        workers: {
          // s2 finishes its edit; s1 is still waiting for the model when the user cancels.
          s1: [{ ...editGreet, before: (signal) => untilAborted(signal) }, finish('Renamed greet.')],
          s2: [editFarewell, finish('Renamed farewell.')],
        },
      },
    });
    try {
      const running = run.run();
      await run.waitFor('step/finished', (event) => event.stepId === 's2');
      run.controller.abort();
      const result = await running;
      assert.equal(result.status, 'cancelled');
      assert.equal(result.reason, 'The run was cancelled.');
      assert.deepEqual(result.applied, []);
      assert.equal(run.applied.length, 0, 'nothing was applied, not even the finished step');
      assert.equal(run.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);
      assert.equal(run.workspace.text('src/farewell.js'), greeterFiles['src/farewell.js']);
      const settled = run.of('plan/updated').at(-1)?.plan;
      const steps = new Map(settled?.steps.map((step) => [step.id, step.status]));
      assert.equal(steps.get('s2'), 'done');
      assert.equal(steps.get('s1'), 'cancelled');
      assert.equal(settled?.status, 'cancelled');
      assert.equal(run.of('changes').length, 0, 'nothing was offered for review');
      assert.equal(run.events.at(-1)?.type, 'run/finished');
      assert.equal(run.of('run/finished')[0]?.status, 'cancelled');
      assert.ok(!existsSync(join(run.root, '.plumbline', 'run.lock')));
      assert.equal((await listRuns(run.root))[0]?.status, 'cancelled');
    } finally {
      run.remove();
    }
  });
  test('cancelled while the review is open: the run ends cancelled, not completed, nothing lands, and its verified work stays resumable', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed.')] } },
      approve: 'end',
      host: {
        // As the clients do: a review the user never decided ends with nothing accepted when the run is cancelled.
        review: (_files, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ decisions: [] }), { once: true })),
      },
    });
    try {
      const running = run.run();
      await run.waitFor('changes', () => true);
      run.controller.abort();
      const result = await running;
      assert.equal(result.status, 'cancelled', 'the history must not say completed');
      assert.deepEqual(result.applied, []);
      assert.equal(run.applied.length, 0);
      assert.equal(run.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);
      assert.equal(run.of('run/finished')[0]?.status, 'cancelled');
      const [listed] = await listRuns(run.root);
      assert.equal(listed?.status, 'cancelled');
      assert.equal(listed?.resumable, true, 'the verified, unreviewed step can be resumed');
    } finally {
      run.remove();
    }
  });
});
