import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextPart } from '../../src/agent/model/modelTypes';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';
import { calls, type RecordedModelRequest } from './support/scriptedModel';

/** The suite fails while src/greet.js carries the BROKEN marker. */
function judgeGreet(files: ReadonlyMap<string, string | undefined>): TestEvidence {
  if ((files.get('src/greet.js') ?? '').includes('BROKEN')) return evidence('failed', 'New failures: greets Ada.', { excerpt: 'AssertionError: BROKEN is not a greeting', newFailures: ['greets Ada'] });
  return evidence('passed', 'The tests pass (exit code 0, 2 passed).', { passed: 2, total: 2 });
}

const breakGreet = calls(['edit_file', { path: 'src/greet.js', patch: '-function greet(name) {\n+function welcome(name) { // BROKEN' }]);
const fixGreet = calls(['edit_file', { path: 'src/greet.js', patch: '-function welcome(name) { // BROKEN\n+function welcome(name) {' }]);

function lastUserText(recorded: RecordedModelRequest | undefined): string {
  const last = recorded?.request.messages.at(-1);
  return last?.role === 'user' ? last.content.filter((part): part is TextPart => part.type === 'text').map((part) => part.text).join('') : '';
}

describe('RunEngine in process: the fix loop', () => {
  test('a failed verification goes back to the same worker with the output; its fix passes and lands', async () => {
    const verifier = fakeVerifier(judgeGreet);
    const run = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [breakGreet, finish('Renamed.'), fixGreet, finish('Fixed the marker.')] } },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(
        run.of('verification').map((event) => [event.stepId, event.attempt, event.evidence.verdict]),
        [
          [undefined, undefined, 'passed'],
          ['s1', 1, 'failed'],
          ['s1', 2, 'passed'],
        ],
      );
      const requests = run.model.of('worker-s1');
      assert.equal(requests.length, 4);
      const retry = lastUserText(requests[2]);
      assert.match(retry, /^Verification failed \(attempt 1 of 3\): New failures: greets Ada\.\nCommand: fake test \(exit code 1\)\n/);
      assert.match(retry, /<test-output>[\s\S]*BROKEN is not a greeting[\s\S]*<\/test-output>/);
      assert.match(run.planMarkdown(), /- Attempt 1: failed · [^\n]+\n\s+> New failures: greets Ada\./);
      assert.match(run.planMarkdown(), /- Attempt 2: passed · /);
      assert.match(run.planMarkdown(), /Verifying with `fake test`/);
      assert.equal(run.workspace.text('src/greet.js')?.includes('BROKEN'), false);
      assert.deepEqual(result.applied, ['src/greet.js']);
    } finally {
      run.remove();
    }
  });

  test('a step that cannot pass stops at the attempt cap, and none of it lands', async () => {
    const verifier = fakeVerifier(judgeGreet);
    const run = engineRun({
      files: greeterFiles,
      options: { verification: { timeoutMs: 30_000, maxAttempts: 2 }, replans: { maxReplans: 0, maxReplansPerStep: 0 } },
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [breakGreet, finish('Renamed.'), finish('I cannot see the problem.')] } },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'failed');
      assert.deepEqual(run.of('verification').filter((event) => event.stepId === 's1').map((event) => [event.attempt, event.evidence.verdict]), [[1, 'failed'], [2, 'failed']]);
      const s1 = run.of('step/finished').find((event) => event.stepId === 's1');
      assert.equal(s1?.error, 'The step still failed verification after 2 attempts: New failures: greets Ada.');
      assert.deepEqual(s1?.changedFiles, []);
      assert.deepEqual(result.applied, []);
      assert.equal(run.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);
      assert.equal(run.of('changes').length, 0);
    } finally {
      run.remove();
    }
  });
});
