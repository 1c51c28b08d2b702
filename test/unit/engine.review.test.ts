import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextPart } from '../../src/agent/model/modelTypes';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { editGreet, finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';
import { calls, type RecordedModelRequest } from './support/scriptedModel';

/** The suite passes unless src/greet.js carries the BROKEN marker. */
function judge(files: ReadonlyMap<string, string | undefined>): TestEvidence {
  if ((files.get('src/greet.js') ?? '').includes('BROKEN')) return evidence('failed', 'New failures: greets Ada.', { excerpt: 'AssertionError: BROKEN', newFailures: ['greets Ada'] });
  return evidence('passed', 'The tests pass (exit code 0, 2 passed).', { passed: 2, total: 2 });
}

const approve = calls(['submit_review', { verdict: 'approve', findings: [], summary: 'Does what the step asks.' }]);
const revise = calls([
  'submit_review',
  { verdict: 'revise', findings: [{ path: 'src/greet.js', line: 1, problem: 'The greeting <b>lost</b> its comma.', suggestion: 'Put the comma back.' }], summary: 'One problem.' },
]);
const addTodo = calls(['edit_file', { path: 'src/greet.js', patch: '-function greet(name) {\n+function welcome(name) { // TODO handle empty names' }]);
const removeTodo = calls(['edit_file', { path: 'src/greet.js', patch: '-function welcome(name) { // TODO handle empty names\n+function welcome(name) {' }]);
const fixComma = calls(['edit_file', { path: 'src/greet.js', patch: '-  return `Hello, ${name}!`;\n+  return `Hello, ${name}!`; // comma kept' }]);

function lastUserText(recorded: RecordedModelRequest | undefined): string {
  const last = recorded?.request.messages.at(-1);
  return last?.role === 'user' ? last.content.filter((part): part is TextPart => part.type === 'text').map((part) => part.text).join('') : '';
}

describe('RunEngine in process: the reviewer', () => {
  test('a review that asks for a revision goes back to the same worker; its fix is tested and reviewed again, and approved', async () => {
    const verifier = fakeVerifier(judge);
    const run = engineRun({
      files: greeterFiles,
      options: { review: 'steps', escalation: false },
      script: {
        orchestrator: [submitPlan('Rename greet.', [{ ...renameGreet, model: 'fast' }])],
        workers: { s1: [editGreet, finish('Renamed.'), fixComma, finish('Kept the comma.')] },
        reviewers: { s1: [revise, approve] },
      },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(run.of('review').map((event) => [event.stepId, event.attempt, event.review.verdict, event.review.outcome]), [
        ['s1', 1, 'revise', 'revise'],
        ['s1', 2, 'approve', 'approved'],
      ]);
      // Tested twice: the fix is verified before it is reviewed again.
      assert.deepEqual(run.of('verification').filter((event) => event.stepId === 's1').map((event) => event.evidence.verdict), ['passed', 'passed']);
      const feedback = lastUserText(run.model.of('worker-s1')[2]);
      assert.match(feedback, /^The review asked for a revision \(attempt 1 of 3\)\./);
      assert.match(feedback, /src\/greet\.js:1: The greeting <b>lost<\/b> its comma\.\n {2}Suggestion: Put the comma back\./);
      // The reviewer saw the step's instructions, its diff, the test evidence and the checks.
      const brief = run.model.of('reviewer-s1')[0]?.request.messages[0];
      const briefText = brief?.content.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';
      assert.match(briefText, /^<review step="s1" attempt="1">/);
      assert.match(briefText, /Rename greet to welcome in src\/greet\.js\./);
      assert.match(briefText, /\+function welcome\(name\) \{/);
      assert.match(briefText, /The tests pass \(exit code 0, 2 passed\)\./);
      assert.match(briefText, /- pass outside-files: /);
      assert.deepEqual(run.model.of('reviewer-s1').map((request) => request.model), ['scripted-orchestrator', 'scripted-orchestrator']);
      const step = result.plan?.steps.find((candidate) => candidate.id === 's1');
      assert.deepEqual(step?.reviews?.map((review) => review.outcome), ['revise', 'approved']);
      assert.deepEqual(step?.attempts.map((attempt) => attempt.outcome), ['failed', 'passed']);
      const markdown = run.planMarkdown();
      assert.match(markdown, /- Attempt 1: failed · [^\n]+ · scripted-worker · 240 tokens \(unpriced\)\n/);
      assert.match(markdown, /- Review 1: revise · 120 tokens \(unpriced\) · [\d.]+ s · scripted-orchestrator\n\s+> One problem\.\n\s+> - src\/greet\.js:1: The greeting &lt;b&gt;lost&lt;\/b&gt; its comma\. Suggestion: Put the comma back\./);
      assert.match(markdown, /- Review 2: approved · /);
      assert.match(run.workspace.text('src/greet.js') ?? '', /comma kept/);
    } finally {
      run.remove();
    }
  });

  test('a failing objective check sends the step back even when the reviewer approves', async () => {
    const verifier = fakeVerifier(judge);
    const run = engineRun({
      files: greeterFiles,
      options: { review: 'steps' },
      script: {
        orchestrator: [submitPlan('Rename greet.', [renameGreet])],
        workers: { s1: [addTodo, finish('Renamed.'), removeTodo, finish('Removed the TODO.')] },
        reviewers: { s1: [approve, approve] },
      },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      const reviews = run.of('review').map((event) => event.review);
      assert.deepEqual(reviews.map((review) => [review.verdict, review.outcome]), [
        ['approve', 'revise'],
        ['approve', 'approved'],
      ]);
      assert.deepEqual(reviews[0]?.checks.filter((check) => !check.ok).map((check) => check.id), ['new-todo']);
      assert.match(reviews[0]?.checks.find((check) => check.id === 'new-todo')?.detail ?? '', /src\/greet\.js:1/);
      assert.match(lastUserText(run.model.of('worker-s1')[2]), /Objective checks that failed:\n- FAIL new-todo: Added TODO\/FIXME\/XXX at src\/greet\.js:1/);
      assert.doesNotMatch(run.workspace.text('src/greet.js') ?? '', /TODO/);
    } finally {
      run.remove();
    }
  });

  test('a malformed submit_review gets a tool error and another try; a reviewer that never submits one fails the step', async () => {
    const verifier = fakeVerifier(judge);
    const run = engineRun({
      files: greeterFiles,
      options: { review: 'steps', replans: { maxReplans: 0, maxReplansPerStep: 0 } },
      script: {
        orchestrator: [submitPlan('Rename greet.', [renameGreet])],
        workers: { s1: [editGreet, finish('Renamed.')] },
        reviewers: { s1: [calls(['submit_review', { verdict: 'looks fine', summary: 'ok' }]), { text: 'I approve of this change.' }, { text: 'Approved.' }, { text: 'LGTM' }] },
      },
      host: { createVerifier: verifier.create },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'failed');
      const requests = run.model.of('reviewer-s1');
      const toolError = requests[1]?.request.messages.at(-1);
      assert.equal(toolError?.role, 'user');
      const resultPart = toolError?.content[0];
      assert.equal(resultPart?.type, 'tool_result');
      assert.equal(resultPart?.type === 'tool_result' && resultPart.isError, true);
      assert.match(resultPart?.type === 'tool_result' ? resultPart.content : '', /verdict/);
      // Words are not a verdict: after the nudges the review has none and the step is not accepted.
      assert.match(lastUserText(requests[2]), /Call submit_review with your verdict/);
      const [review] = run.of('review').map((event) => event.review);
      assert.equal(review?.verdict, 'none');
      assert.equal(review?.outcome, 'failed');
      const s1 = run.of('step/finished').find((event) => event.stepId === 's1');
      assert.match(s1?.error ?? '', /^The reviewer ended without a valid submit_review \(the model stopped without finishing its task\)\. The step is not accepted unreviewed/);
      assert.deepEqual(result.applied, []);
    } finally {
      run.remove();
    }
  });

  test('review mode off asks no reviewer; end reviews the whole change once, after the last step', async () => {
    for (const mode of ['off', 'end'] as const) {
      const verifier = fakeVerifier(judge);
      const run = engineRun({
        files: greeterFiles,
        options: { review: mode },
        script: {
          orchestrator: [submitPlan('Rename greet.', [renameGreet])],
          workers: { s1: [editGreet, finish('Renamed.')] },
          reviewers: { run: [calls(['read_file', { path: 'src/greet.js' }]), revise] },
        },
        host: { createVerifier: verifier.create },
      });
      try {
        const result = await run.run();
        assert.equal(result.status, 'completed', result.reason);
        const reviewerRequests = run.model.requests.filter((request) => request.conversation.startsWith('reviewer-'));
        if (mode === 'off') {
          assert.equal(reviewerRequests.length, 0);
          assert.equal(result.plan?.review, undefined);
          continue;
        }
        assert.deepEqual(reviewerRequests.map((request) => request.conversation), ['reviewer-run', 'reviewer-run']);
        // After the step finished, before the user's review of the hunks.
        const stepDone = run.events.findIndex((event) => event.type === 'step/finished');
        const reviewed = run.events.findIndex((event) => event.type === 'review');
        const changes = run.events.findIndex((event) => event.type === 'changes');
        assert.ok(stepDone < reviewed && reviewed < changes, `${stepDone} < ${reviewed} < ${changes}`);
        assert.equal(result.plan?.review?.outcome, 'revise');
        assert.match(run.planMarkdown(), /## Review of the whole change \(scripted-orchestrator\): revise/);
      } finally {
        run.remove();
      }
    }
  });
});
