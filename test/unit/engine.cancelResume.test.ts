import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunJournal } from '../../src/agent/run/journal';
import { listRuns } from '../../src/agent/run/runStore';
import { runStateOf } from '../../src/protocol/runState';
import { engineRun } from './support/engineHarness';
import { editFarewell, editGreet, finish, greeterFiles, renameFarewell, renameGreet, submitPlan } from './support/engineFixtures';
import { untilAborted } from './support/scriptedModel';

describe('RunEngine in process: a cancelled run keeps its verified work', () => {
  test('cancelled with a verified, unreviewed step: the record says so, and resuming offers that step for review and runs the stopped one again', async () => {
    const first = engineRun({
      approve: 'end',
      files: greeterFiles,
      script: {
        orchestrator: [submitPlan('Rename both.', [renameGreet, renameFarewell])],
        workers: {
          // s2 is verified; s1 is still waiting for the model when the user cancels.
          s1: [{ ...editGreet, before: (signal) => untilAborted(signal) }, finish('Renamed greet.')],
          s2: [editFarewell, finish('Renamed farewell.')],
        },
      },
    });
    try {
      const running = first.run();
      await first.waitFor('step/finished', (event) => event.stepId === 's2');
      first.controller.abort();
      assert.equal((await running).status, 'cancelled');
      assert.equal(first.workspace.text('src/farewell.js'), greeterFiles['src/farewell.js'], 'nothing landed on cancel');

      const [record] = await listRuns(first.root);
      assert.deepEqual(record?.unreviewed, ['src/farewell.js']);
      assert.equal(record?.resumable, true);
      const state = runStateOf(record ?? assert.fail('no record'));
      assert.equal(state.canResume, true);
      assert.match(state.label, /^cancelled \(1 verified file to review\)$/);

      const recovered = await RunJournal.recover(first.root, first.runId);
      assert.equal(recovered.finished, true);
      assert.equal(recovered.finishedStatus, 'cancelled');
      assert.equal(recovered.staged.size, 1, 'the verified step is still in the journal');

      const reviewed: string[][] = [];
      const resumed = engineRun(
        {
          approve: 'end',
          script: { orchestrator: [], workers: { s1: [editGreet, finish('Renamed greet.')] } },
          host: {
            review: (files) => {
              reviewed.push(files.map((file) => file.path));
              return Promise.resolve({ decisions: files.map((file) => ({ path: file.path, hunks: 'all' as const })) });
            },
          },
        },
        { from: first, recovered },
      );
      const result = await resumed.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(reviewed, [['src/farewell.js', 'src/greet.js']], "the cancelled run's verified work was offered for review with the rest");
      assert.match(first.workspace.text('src/farewell.js') ?? '', /function goodbye/);
      assert.match(first.workspace.text('src/greet.js') ?? '', /function welcome/);
      assert.equal(resumed.model.of('worker-s2').length, 0, 's2 was not run again');
      assert.match(resumed.planMarkdown(), /Resumed after it was cancelled/);
      assert.equal(resumed.journal().at(-1)?.kind, 'finished');
      assert.equal((await RunJournal.recover(first.root, first.runId)).finishedStatus, 'completed');
    } finally {
      first.remove();
    }
  });

  test('cancelled at the plan: not resumable (nobody approved the plan)', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed.')] } },
      host: { approvePlan: () => Promise.resolve({ kind: 'cancel' }) },
    });
    try {
      await run.run();
      const [record] = await listRuns(run.root);
      assert.equal(record?.resumable, false);
      assert.equal(runStateOf(record ?? assert.fail('no record')).canResume, false);
    } finally {
      run.remove();
    }
  });
});
