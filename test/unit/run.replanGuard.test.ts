/**
 * The re-plan caps (issue 14, "Runaway"): which failed steps are one step under several names,
 * when the run must stop instead of re-planning, and what it then says.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPlan, finishStep, replacePendingSteps, setStatus, startStep } from '../../src/agent/plan/planState';
import { submittedPlanSchema, type Plan, type SubmittedStep } from '../../src/protocol/plan';
import { PlanningFailedError } from '../../src/agent/run/orchestrator';
import { failuresOf, isSameStep, replanAfterFailure, replanRefusal, ReplanStopError, textSimilarity } from '../../src/agent/run/replanGuard';

const step = (id: string, instructions: string, files = ['src/greet.js'], title = 'Warmer greeting'): SubmittedStep => submittedPlanSchema.parse({ summary: 's', steps: [{ id, title, instructions, files }] }).steps[0]!;
const plan = (...steps: SubmittedStep[]) => submittedPlanSchema.parse({ summary: 'Greet warmly.', steps });

/** A running plan in which each step in turn is started, fails, and is replaced by the next (as re-planning does). */
function failedInTurn(steps: readonly SubmittedStep[]): Plan {
  let current = setStatus(createPlan('run-1', 'Greet warmly', plan(steps[0]!)), 'running');
  steps.forEach((next, index) => {
    if (index > 0) current = replacePendingSteps(current, plan(next));
    current = startStep(current, next.id, { startedAt: '2026-01-01T00:00:00.000Z' });
    current = finishStep(current, next.id, { status: 'failed', error: `failure ${index}` });
  });
  return current;
}

const reworded = (turn: number) => step(`s${turn}`, `In src/greet.js make greet return \`Welcome, \${name}!\` instead of \`Hello, \${name}!\` (attempt ${turn}).`, ['src/greet.js'], `Warmer greeting, take ${turn}`);

describe('the same step under another name', () => {
  test('text similarity: the same words reworded a little are alike; different work is not', () => {
    assert.equal(textSimilarity('Rename greet to welcome.', 'Rename greet to welcome.'), 1);
    assert.ok(textSimilarity('Rename greet to welcome (attempt 3).', 'rename greet to welcome - attempt 12') > 0.9);
    assert.ok(textSimilarity('Rename greet to welcome in src/greet.js and keep the alias.', 'Please rename greet to welcome in src/greet.js, keeping an alias.') > 0.75);
    assert.ok(textSimilarity('Rename greet to welcome.', 'Add a farewell test for the German locale.') < 0.4);
  });

  test('the same files and near-identical instructions are the same step; other files or other work are not', () => {
    assert.equal(isSameStep(reworded(0), reworded(7)), true);
    assert.equal(isSameStep(reworded(0), step('x', reworded(0).instructions, ['src/farewell.js'])), false, 'other files');
    assert.equal(isSameStep(reworded(0), step('x', 'Add a test that greet handles an empty name by returning a generic greeting.')), false, 'other work');
    // One file more (the test beside it) is still the same step when the words are the same.
    assert.equal(isSameStep(reworded(0), step('x', reworded(0).instructions, ['src/greet.js', 'test/greet.test.js'], reworded(0).title)), true);
  });

  test('failuresOf follows likeness step to step, so a step reworded a bit more each time stays one step', () => {
    const drifting = [
      step('a', 'In src/greet.js, make greet return a friendly greeting that says Welcome to the user by name.'),
      step('b', 'Change greet in src/greet.js to return a friendly greeting that says Welcome to the user by name.'),
      step('c', 'Change greet in src/greet.js so that it returns a friendly Welcome to the user by name.'),
      step('d', 'Change greet in src/greet.js so that it returns a friendly Welcome message with their name.'),
      step('e', 'Add a farewell test.', ['test/greet.test.js']),
    ];
    assert.equal(isSameStep(drifting[0]!, drifting[3]!), false, 'the first and the last alone are too far apart');
    const failed = failedInTurn(drifting);
    assert.deepEqual(failuresOf(failed, 'd').map((s) => s.id), ['a', 'b', 'c', 'd']);
    assert.deepEqual(failuresOf(failed, 'e').map((s) => s.id), ['e']);
    assert.deepEqual(failuresOf(failed, 'nope'), []);
  });
});

describe('the caps', () => {
  const limits = { maxReplans: 10, maxReplansPerStep: 2 };

  test('a step may be re-planned twice by default; its third failure under any name stops the run, naming it and the count', () => {
    assert.equal(replanRefusal(failedInTurn([reworded(0)]), 's0', 'failure 0', limits), undefined);
    assert.equal(replanRefusal(failedInTurn([reworded(0), reworded(1)]), 's1', 'failure 1', limits), undefined);
    assert.equal(
      replanRefusal(failedInTurn([reworded(0), reworded(1), reworded(2)]), 's2', 'The worker is blocked: no.', limits),
      'Step s2 (Warmer greeting, take 2) failed 3 times (as s0, s1, s2: a re-planned step with the same files and near-identical instructions is the same step); ' +
        'plumbline.limits.maxReplansPerStep allows 2 re-plans of a step. Its last failure: The worker is blocked: no.',
    );
    assert.equal(
      replanRefusal(failedInTurn([reworded(0)]), 's0', 'tests fail', { maxReplans: 10, maxReplansPerStep: 0 }),
      'Step s0 (Warmer greeting, take 0) failed once; plumbline.limits.maxReplansPerStep allows 0 re-plans of a step. Its last failure: tests fail.',
    );
  });

  test('different steps failing count against the run: the failure after maxReplans re-plans stops it', () => {
    const parts = [0, 1, 2, 3].map((n) => step(`p${n}`, `Create src/part${n}.js exporting the number ${n}.`, [`src/part${n}.js`], `Module ${n}`));
    assert.equal(replanRefusal(failedInTurn(parts.slice(0, 3)), 'p2', 'x', { maxReplans: 3, maxReplansPerStep: 2 }), undefined);
    assert.equal(
      replanRefusal(failedInTurn(parts), 'p3', 'The worker is blocked: no', { maxReplans: 3, maxReplansPerStep: 2 }),
      'The run already re-planned 3 times after failed steps, its limit (plumbline.limits.maxReplans); then Step p3 (Module 3) failed: The worker is blocked: no.',
    );
  });

  test('at a cap no re-plan is asked for; under it the re-plan is returned', async () => {
    let asked = 0;
    const replan = () => {
      asked++;
      return Promise.resolve(plan(reworded(9)));
    };
    await assert.rejects(replanAfterFailure(failedInTurn([reworded(0), reworded(1), reworded(2)]), 's2', 'no', limits, replan), ReplanStopError);
    assert.equal(asked, 0);
    assert.deepEqual((await replanAfterFailure(failedInTurn([reworded(0)]), 's0', 'no', limits, replan)).steps.map((s) => s.id), ['s9']);
  });

  test('no valid re-plan: the run ends naming the step and its failure first, the orchestrator after it', async () => {
    const failed = failedInTurn([reworded(0)]);
    const giveUp = () => Promise.reject(new PlanningFailedError('The orchestrator did not produce a valid plan: the model stopped without finishing its task.', 'the orchestrator gave up (the model stopped without finishing its task)'));
    await assert.rejects(replanAfterFailure(failed, 's0', 'The step still failed verification after 3 attempts: New failures: greets.', limits, giveUp), {
      name: 'ReplanStopError',
      message: 'Step s0 (Warmer greeting, take 0) failed: The step still failed verification after 3 attempts: New failures: greets. No re-plan followed: the orchestrator gave up (the model stopped without finishing its task).',
    });
    // Anything else (a budget, a cancellation) goes through as it is.
    const budget = new Error('budget');
    await assert.rejects(replanAfterFailure(failed, 's0', 'x', limits, () => Promise.reject(budget)), (error) => error === budget);
  });
});
