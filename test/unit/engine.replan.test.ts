import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextPart } from '../../src/agent/model/modelTypes';
import { engineRun } from './support/engineHarness';
import { editGreet, finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';
import type { RecordedModelRequest } from './support/scriptedModel';

const redoGreet = { id: 's1b', title: 'Rename greet via a new export', instructions: 'Export welcome from src/greet.js, a wrapper around the old function body.', files: ['src/greet.js'] };

function lastUserText(recorded: RecordedModelRequest | undefined): string {
  const last = recorded?.request.messages.at(-1);
  return last?.role === 'user' ? last.content.filter((part): part is TextPart => part.type === 'text').map((part) => part.text).join('') : '';
}

describe('RunEngine in process: a failing step is re-planned', () => {
  test('a blocked worker fails its step; the orchestrator re-plans it, the new step lands, the run reports the failure', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: {
        orchestrator: [submitPlan('Rename greet.', [renameGreet]), submitPlan('Rename greet another way.', [redoGreet])],
        workers: {
          s1: [finish('src/greet.js is generated; the generator must change first.', true)],
          s1b: [editGreet, finish('Exported welcome.')],
        },
      },
    });
    try {
      const result = await run.run();
      assert.deepEqual(run.model.exhausted, []);
      const s1 = run.of('step/finished').find((event) => event.stepId === 's1');
      assert.equal(s1?.status, 'failed');
      assert.equal(s1?.error, 'The worker is blocked: src/greet.js is generated; the generator must change first.');

      // The re-plan request continues the orchestrator's conversation with the failure.
      const orchestrator = run.model.of('orchestrator');
      assert.equal(orchestrator.length, 2);
      assert.match(lastUserText(orchestrator[1]), /^Step s1 \(Rename greet to welcome\) failed: The worker is blocked: src\/greet\.js is generated/);
      assert.ok((orchestrator[1]?.request.messages.length ?? 0) > (orchestrator[0]?.request.messages.length ?? 0), 'the same conversation, extended');

      // The revised step ran and landed; the failed one is still reported.
      assert.equal(run.of('step/finished').find((event) => event.stepId === 's1b')?.status, 'done');
      assert.deepEqual(result.applied, ['src/greet.js']);
      assert.match(run.workspace.text('src/greet.js') ?? '', /function welcome/);
      assert.equal(result.status, 'failed');
      // The failure the re-plan answered is still the run's reason, by step, title and cause.
      assert.equal(result.reason, 'Step s1 (Rename greet to welcome) failed: The worker is blocked: src/greet.js is generated; the generator must change first.');
      assert.match(run.planMarkdown(), /Re-planned after s1 failed\./);
    } finally {
      run.remove();
    }
  });

  test('no valid re-plan follows: the run ends naming the failed step and why, and lands nothing', async () => {
    const run = engineRun({
      files: greeterFiles,
      script: {
        // After the plan the orchestrator only talks: the loop nudges it, then gives up.
        orchestrator: [submitPlan('Rename greet.', [renameGreet]), { text: 'I am not sure.' }, { text: 'Still thinking.' }, { text: 'No idea.' }],
        workers: { s1: [finish('Cannot be done.', true)] },
      },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'failed');
      assert.match(result.reason ?? '', /^Step s1 \(Rename greet to welcome\) failed: The worker is blocked: Cannot be done\. No re-plan followed: the orchestrator gave up/);
      assert.deepEqual(result.applied, []);
      assert.equal(run.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);
    } finally {
      run.remove();
    }
  });

  test('past the re-plan cap the run stops without asking the orchestrator again', async () => {
    const run = engineRun({
      files: greeterFiles,
      options: { replans: { maxReplans: 0, maxReplansPerStep: 2 } },
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [finish('Cannot be done.', true)] } },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'failed');
      assert.match(result.reason ?? '', /its limit \(plumbline\.limits\.maxReplans\); then Step s1 \(Rename greet to welcome\) failed/);
      assert.equal(run.model.of('orchestrator').length, 1);
    } finally {
      run.remove();
    }
  });
});
