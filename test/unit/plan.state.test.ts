import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addNote,
  createPlan,
  finishStep,
  markVerifying,
  PlanStateError,
  recordAttempt,
  replacePendingSteps,
  setCost,
  setStatus,
  setSummaryOfChanges,
  skipStep,
  startAttempt,
  startStep,
} from '../../src/agent/plan/planState';
import { planSchema, submittedPlanSchema, type Plan } from '../../src/protocol/plan';

const submitted = submittedPlanSchema.parse({
  summary: '  Two steps.  ',
  steps: [
    { id: 's1', title: ' First ', instructions: 'Line one   \r\nline two\r\n\r\n', files: ['a.ts'], verify: 'npm test -- a' },
    { id: 's2', title: 'Second', instructions: 'Go.', files: ['b.ts'], depends_on: ['s1', 's1'] },
  ],
});

const t0 = '2025-01-01T10:00:00.000Z';
const t1 = '2025-01-01T10:01:00.000Z';
const t2 = '2025-01-01T10:02:00.000Z';

const running = (): Plan => setStatus(createPlan('run-1', 'Do the thing', submitted), 'running');
const step = (plan: Plan, id: string) => plan.steps.find((candidate) => candidate.id === id)!;

/** Runs a transition, checking it bumps the revision by one and leaves its input untouched. */
function apply(plan: Plan, transition: (plan: Plan) => Plan): Plan {
  const before = structuredClone(plan);
  const after = transition(plan);
  assert.deepEqual(plan, before, 'the input plan was modified');
  assert.equal(after.revision, plan.revision + 1);
  assert.ok(planSchema.safeParse(after).success, 'the new state does not match planSchema');
  return after;
}

describe('plan state', () => {
  test('createPlan makes a draft at revision 1 with normalized pending steps', () => {
    const plan = createPlan('run-1', 'Do the thing', submitted);
    assert.equal(plan.status, 'draft');
    assert.equal(plan.revision, 1);
    assert.equal(plan.summary, 'Two steps.');
    assert.deepEqual(plan.cost, { usd: 0, unpricedCalls: 0 });
    assert.deepEqual(step(plan, 's1'), {
      id: 's1', title: 'First', instructions: 'Line one\nline two', files: ['a.ts'], dependsOn: [], verify: 'npm test -- a',
      status: 'pending', attempts: [], changedFiles: [],
    });
    assert.deepEqual(step(plan, 's2').dependsOn, ['s1']);
    assert.equal('verify' in step(plan, 's2'), false, 'an absent verify is not stored as undefined');
  });

  test('setStatus follows the plan lifecycle and refuses the rest', () => {
    const draft = createPlan('run-1', 'task', submitted);
    const approved = apply(draft, (p) => setStatus(p, 'approved'));
    const started = apply(approved, (p) => setStatus(p, 'running'));
    apply(started, (p) => setStatus(p, 'completed'));
    const cancelled = apply(draft, (p) => setStatus(p, 'cancelled'));
    apply(draft, (p) => setStatus(p, 'failed'));
    assert.throws(() => setStatus(started, 'running'), /A running plan cannot become running\./);
    assert.throws(() => setStatus(cancelled, 'running'), PlanStateError);
    assert.throws(() => setStatus(draft, 'completed'), /A draft plan cannot become completed\./);
  });

  test('a step runs, verifies, retries and finishes, keeping every attempt', () => {
    let plan = apply(running(), (p) => startStep(p, 's1', { startedAt: t0, model: 'haiku' }));
    assert.equal(step(plan, 's1').status, 'running');
    assert.deepEqual(step(plan, 's1').attempts, [{ number: 1, startedAt: t0, model: 'haiku' }]);
    assert.equal(step(plan, 's1').model, 'haiku');
    plan = apply(plan, (p) => markVerifying(p, 's1'));
    assert.equal(step(plan, 's1').status, 'verifying');
    plan = apply(plan, (p) => recordAttempt(p, 's1', { endedAt: t1, outcome: 'failed', detail: '1 test failed' }));
    assert.deepEqual(step(plan, 's1').attempts[0], { number: 1, startedAt: t0, model: 'haiku', endedAt: t1, outcome: 'failed', detail: '1 test failed' });
    plan = apply(plan, (p) => startAttempt(p, 's1', t1, 'sonnet'));
    assert.equal(step(plan, 's1').attempts[1]?.model, 'sonnet');
    assert.equal(step(plan, 's1').status, 'running');
    assert.throws(() => startAttempt(plan, 's1', t2), /attempt 2 has not ended/);
    plan = apply(plan, (p) => finishStep(p, 's1', { status: 'done', summary: 'Did it.', changedFiles: ['a.ts'], attempt: { endedAt: t2, outcome: 'passed' } }));
    const done = step(plan, 's1');
    assert.equal(done.status, 'done');
    assert.equal(done.workerSummary, 'Did it.');
    assert.deepEqual(done.changedFiles, ['a.ts']);
    assert.deepEqual(done.attempts.map((a) => [a.number, a.outcome]), [[1, 'failed'], [2, 'passed']]);
  });

  test('finishing without saying how the attempt ended closes it with the outcome the status implies', () => {
    const done = apply(startStep(running(), 's1', { startedAt: t0 }), (p) => finishStep(p, 's1', { status: 'done' }));
    assert.deepEqual(step(done, 's1').attempts, [{ number: 1, startedAt: t0, outcome: 'passed' }]);
    const failed = finishStep(startStep(running(), 's1', { startedAt: t0 }), 's1', { status: 'failed', error: 'x' });
    assert.deepEqual(step(failed, 's1').attempts, [{ number: 1, startedAt: t0, outcome: 'failed' }]);
  });

  test('a step fails with its error, and the model that ran it', () => {
    let plan = startStep(running(), 's1', { startedAt: t0 });
    plan = apply(plan, (p) => finishStep(p, 's1', { status: 'failed', error: 'tests kept failing', model: 'gpt-5-mini', attempt: { endedAt: t1, outcome: 'error' } }));
    assert.equal(step(plan, 's1').status, 'failed');
    assert.equal(step(plan, 's1').error, 'tests kept failing');
    assert.equal(step(plan, 's1').model, 'gpt-5-mini');
  });

  test('startStep refuses a plan that is not running, unmet dependencies, and steps that are not pending', () => {
    assert.throws(() => startStep(createPlan('r', 't', submitted), 's1', { startedAt: t0 }), /the plan is draft, not running/);
    assert.throws(() => startStep(running(), 's2', { startedAt: t0 }), /Cannot start step s2: its dependencies are not all done\./);
    const started = startStep(running(), 's1', { startedAt: t0 });
    assert.throws(() => startStep(started, 's1', { startedAt: t0 }), /Cannot start step s1: it is running\./);
    assert.throws(() => startStep(started, 'nope', { startedAt: t0 }), /the plan has no such step/);
    assert.throws(() => recordAttempt(running(), 's1', { endedAt: t0, outcome: 'passed' }), /it is pending/);
  });

  test('skipStep skips pending steps; cancelling also stops running ones', () => {
    const skipped = apply(running(), (p) => skipStep(p, 's2', 'blocked by s1 (failed)'));
    assert.deepEqual([step(skipped, 's2').status, step(skipped, 's2').error], ['skipped', 'blocked by s1 (failed)']);
    const started = startStep(running(), 's1', { startedAt: t0 });
    assert.throws(() => skipStep(started, 's1', 'x'), /Cannot skip step s1: it is running\./);
    assert.equal(step(apply(started, (p) => skipStep(p, 's1', 'stopped by the user', 'cancelled')), 's1').status, 'cancelled');
  });

  test('notes, summary of changes and cost', () => {
    let plan = apply(running(), (p) => addNote(p, 'first'));
    plan = apply(plan, (p) => addNote(p, 'second'));
    plan = apply(plan, (p) => setSummaryOfChanges(p, 'Renamed things.'));
    plan = apply(plan, (p) => setCost(p, { usd: 0.5, unpricedCalls: 1 }));
    assert.deepEqual([plan.notes, plan.summaryOfChanges, plan.cost], [['first', 'second'], 'Renamed things.', { usd: 0.5, unpricedCalls: 1 }]);
  });

  test('replacePendingSteps keeps started steps and replaces the pending ones', () => {
    const started = startStep(running(), 's1', { startedAt: t0 });
    const replan = submittedPlanSchema.parse({ summary: 'New plan', steps: [{ id: 'n1', title: 'New', instructions: 'New work.', files: ['c.ts'], depends_on: ['s1'] }] });
    const plan = apply(started, (p) => replacePendingSteps(p, replan));
    assert.equal(plan.summary, 'New plan');
    assert.deepEqual(plan.steps.map((s) => [s.id, s.status]), [['s1', 'running'], ['n1', 'pending']]);
    assert.deepEqual(step(plan, 's1'), step(started, 's1'));
    const clash = submittedPlanSchema.parse({ summary: 'x', steps: [{ id: 's1', title: 'x', instructions: 'x', files: [] }] });
    assert.throws(() => replacePendingSteps(started, clash), /step s1 already exists and has started/);
  });
});
