import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReviewTurns } from '../../src/agent/run/reviewTurns';
import { engineRun } from './support/engineHarness';
import { editFarewell, editGreet, finish, greeterFiles, renameFarewell, renameGreet, submitPlan } from './support/engineFixtures';

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('ReviewTurns: step reviews in plan order', () => {
  test('a step waits for the open steps above it, not for those below or not started', async () => {
    const turns = new ReviewTurns(() => ['s1', 's2', 's3', 's4']);
    turns.open('s2');
    turns.open('s3');
    assert.equal(await settled(turns.turn('s2')), true, 's1 never started: s2 does not wait for it');
    const s3 = turns.turn('s3');
    assert.equal(await settled(s3), false, 's3 waits while s2 is open');
    turns.close('s2');
    assert.equal(await settled(s3), true);
    assert.equal(await settled(turns.turn('s9')), true, 'a step the plan no longer has waits for nothing');
  });
});

describe('RunEngine in process: step mode reviews in plan order', () => {
  test('the later step finishes first, yet the earlier one is offered first', async () => {
    const asked: string[] = [];
    let firstFinished = '';
    const run = engineRun({
      files: greeterFiles,
      approve: 'step',
      maxParallel: 2,
      script: {
        orchestrator: [submitPlan('Rename both.', [renameGreet, renameFarewell])],
        workers: {
          // s1 ends only after s2 has finished: s2's review is the first one asked for.
          s1: [editGreet, { ...finish('Renamed greet.'), before: async () => void (firstFinished ||= (await run.waitFor('step/finished', (event) => event.stepId === 's2')).stepId) }],
          s2: [editFarewell, finish('Renamed farewell.')],
        },
      },
      host: {
        review: (files) => {
          asked.push(...files.map((file) => file.path));
          return Promise.resolve({ decisions: files.map((file) => ({ path: file.path, hunks: 'all' as const })) });
        },
      },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.equal(firstFinished, 's2', 's2 finished before s1');
      assert.deepEqual(asked, ['src/greet.js', 'src/farewell.js'], 'offered in plan order');
      assert.deepEqual(run.of('review/decided').length, 2);
    } finally {
      run.remove();
    }
  });
});
