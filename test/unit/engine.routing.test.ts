import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { editGreet, finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';
import { calls } from './support/scriptedModel';

function judge(files: ReadonlyMap<string, string | undefined>): TestEvidence {
  if ((files.get('src/greet.js') ?? '').includes('BROKEN')) return evidence('failed', 'New failures: greets Ada.', { excerpt: 'AssertionError: BROKEN', newFailures: ['greets Ada'] });
  return evidence('passed', 'The tests pass.', { passed: 2, total: 2 });
}

const breakGreet = calls(['edit_file', { path: 'src/greet.js', patch: '-function greet(name) {\n+function welcome(name) { // BROKEN' }]);
const fixGreet = calls(['edit_file', { path: 'src/greet.js', patch: '-function welcome(name) { // BROKEN\n+function welcome(name) {' }]);

function fastFailsOnce(escalation: boolean | undefined) {
  const verifier = fakeVerifier(judge);
  return engineRun({
    files: greeterFiles,
    options: escalation === undefined ? {} : { escalation },
    script: { orchestrator: [submitPlan('Rename greet.', [{ ...renameGreet, model: 'fast' }])], workers: { s1: [breakGreet, finish('Renamed.'), fixGreet, finish('Fixed.')] } },
    host: { createVerifier: verifier.create },
  });
}

describe('RunEngine in process: routing and escalation', () => {
  test('a fast step runs on the workers\' model; after its tests fail, the retry escalates to the strong model with the same conversation', async () => {
    const run = fastFailsOnce(undefined);
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      const requests = run.model.of('worker-s1');
      assert.deepEqual(requests.map((request) => request.model), ['scripted-worker', 'scripted-worker', 'scripted-orchestrator', 'scripted-orchestrator']);
      // The strong model continues the fast one's transcript: the brief and the failed attempt are there.
      assert.equal(requests[2]?.request.messages.length, 6);
      assert.deepEqual(run.of('step/started').map((event) => event.model), ['scripted-worker']);
      const step = result.plan?.steps.find((candidate) => candidate.id === 's1');
      assert.deepEqual(step?.attempts.map((attempt) => [attempt.number, attempt.model, attempt.outcome]), [
        [1, 'scripted-worker', 'failed'],
        [2, 'scripted-orchestrator', 'passed'],
      ]);
      assert.equal(step?.attempts[0]?.usage?.tokens, 240);
      assert.equal(step?.attempts[0]?.usage?.unpricedCalls, 2);
      assert.match(run.planMarkdown(), /- Attempt 2: passed · [^\n]+ · scripted-orchestrator · 240 tokens \(unpriced\)/);
    } finally {
      run.remove();
    }
  });

  test('with escalation off, the retry stays on the fast model', async () => {
    const run = fastFailsOnce(false);
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(run.model.of('worker-s1').map((request) => request.model), ['scripted-worker', 'scripted-worker', 'scripted-worker', 'scripted-worker']);
    } finally {
      run.remove();
    }
  });

  test('a step marked strong, or not marked at all, runs on the orchestrator\'s model', async () => {
    for (const model of ['strong', undefined] as const) {
      const verifier = fakeVerifier(judge);
      const run = engineRun({
        files: greeterFiles,
        script: { orchestrator: [submitPlan('Rename greet.', [{ ...renameGreet, ...(model !== undefined ? { model } : {}) }])], workers: { s1: [editGreet, finish('Renamed.')] } },
        host: { createVerifier: verifier.create },
      });
      try {
        const result = await run.run();
        assert.equal(result.status, 'completed', result.reason);
        assert.deepEqual(run.model.of('worker-s1').map((request) => request.model), ['scripted-orchestrator', 'scripted-orchestrator']);
        assert.deepEqual(run.of('step/started').map((event) => event.model), ['scripted-orchestrator']);
        if (model === 'strong') assert.match(run.planMarkdown(), /- Routing: strong \(the orchestrator's model\)/);
        else assert.doesNotMatch(run.planMarkdown(), /- Routing:/);
      } finally {
        run.remove();
      }
    }
  });
});
