import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPlan } from '../../src/agent/plan/planState';
import { submittedPlanSchema, type Plan, type PlanStep, type StepStatus, type SubmittedPlan } from '../../src/protocol/plan';
import {
  blockedSteps,
  concurrentPairs,
  defaultNormalizePath,
  dependencyClosure,
  isOrdered,
  readySteps,
  validatePlan,
  validateReplan,
} from '../../src/agent/plan/validatePlan';

type StepInput = { id: string; files?: string[]; depends_on?: string[] };

/** A schema-valid plan from terse step descriptions. */
function plan(...steps: StepInput[]): SubmittedPlan {
  return submittedPlanSchema.parse({
    summary: 'Test plan',
    steps: steps.map((step) => ({ title: `Step ${step.id}`, instructions: `Do ${step.id}.`, files: [], ...step })),
  });
}

const context = { normalizePath: defaultNormalizePath };

function errorsOf(submitted: SubmittedPlan, ctx = context): readonly string[] {
  const result = validatePlan(submitted, ctx);
  assert.equal(result.ok, false, 'expected the plan to be rejected');
  return result.ok ? [] : result.errors;
}

function withStatuses(submitted: SubmittedPlan, statuses: Record<string, StepStatus>): Plan {
  const base = createPlan('run-1', 'task', submitted);
  return { ...base, status: 'running', steps: base.steps.map((step): PlanStep => ({ ...step, status: statuses[step.id] ?? 'pending' })) };
}

describe('submitted plan schema', () => {
  test('accepts a minimal plan and defaults depends_on to []', () => {
    const parsed = submittedPlanSchema.parse({ summary: 's', steps: [{ id: 'rename-api', title: 't', instructions: 'i', files: [] }] });
    assert.deepEqual(parsed.steps[0]?.depends_on, []);
  });

  test('rejects bad ids, empty instructions, multi-line titles, unknown keys and step counts out of range', () => {
    const step = { id: 's1', title: 't', instructions: 'i', files: [] };
    const rejects = (input: unknown, path: RegExp): void => {
      const result = submittedPlanSchema.safeParse(input);
      assert.equal(result.success, false);
      assert.match(result.error?.issues.map((issue) => issue.path.join('.')).join(' ') ?? '', path);
    };
    rejects({ summary: 's', steps: [{ ...step, id: 'S1' }] }, /steps\.0\.id/);
    rejects({ summary: 's', steps: [{ ...step, id: '-s1' }] }, /steps\.0\.id/);
    rejects({ summary: 's', steps: [{ ...step, id: 'a'.repeat(33) }] }, /steps\.0\.id/);
    rejects({ summary: 's', steps: [{ ...step, instructions: '   ' }] }, /steps\.0\.instructions/);
    rejects({ summary: 's', steps: [{ ...step, title: 'two\nlines' }] }, /steps\.0\.title/);
    rejects({ summary: 's', steps: [{ ...step, owner: 'me' }] }, /steps\.0/);
    rejects({ summary: 's', steps: [] }, /steps/);
    rejects({ summary: 's', steps: Array.from({ length: 51 }, (_, i) => ({ ...step, id: `s${i}` })) }, /steps/);
    rejects({ summary: 's', steps: [{ ...step, files: Array.from({ length: 51 }, (_, i) => `f${i}.ts`) }] }, /steps\.0\.files/);
  });
});

describe('validatePlan', () => {
  test('accepts a valid plan, normalizing paths and duplicate dependencies', () => {
    const result = validatePlan(plan({ id: 's1', files: ['./src/a.ts', 'src\\b.ts'] }, { id: 's2', depends_on: ['s1', 's1'] }), context);
    assert.ok(result.ok);
    assert.deepEqual(result.plan.steps[0]?.files, ['src/a.ts', 'src/b.ts']);
    assert.deepEqual(result.plan.steps[1]?.depends_on, ['s1']);
  });

  test('reports duplicate ids with their positions', () => {
    const errors = errorsOf(plan({ id: 's1' }, { id: 's2' }, { id: 's1' }));
    assert.match(errors[0] ?? '', /^Step id "s1" is used by more than one step \(step 1 and step 3\); give every step its own id\.$/);
  });

  test('reports an unknown dependency and lists the ids that exist', () => {
    const errors = errorsOf(plan({ id: 's1' }, { id: 's2', depends_on: ['s9'] }));
    assert.deepEqual(errors, ['Step "s2" depends on "s9", which is not a step in this plan; remove it or use one of: s1, s2.']);
  });

  test('reports a self-dependency, and not as a cycle', () => {
    const errors = errorsOf(plan({ id: 's1', depends_on: ['s1'] }));
    assert.deepEqual(errors, ['Step "s1" depends on itself; remove "s1" from its dependencies.']);
  });

  test('names a two-step cycle', () => {
    const errors = errorsOf(plan({ id: 's1', depends_on: ['s2'] }, { id: 's2', depends_on: ['s1'] }));
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^Steps depend on each other in a cycle: s1 → s2 → s1 \(each waits for the next, so none can start\); remove one of these dependencies\.$/);
  });

  test('names a longer cycle starting at the step that comes first, leaving other steps out', () => {
    const errors = errorsOf(plan({ id: 'ok' }, { id: 'a', depends_on: ['c', 'ok'] }, { id: 'b', depends_on: ['a'] }, { id: 'c', depends_on: ['b'] }));
    assert.deepEqual(errors.length, 1);
    assert.match(errors[0] ?? '', /cycle: a → c → b → a \(/);
  });

  test('reports a path the workspace refuses with the reason it gave', () => {
    const refuse = { normalizePath: (path: string) => (path.startsWith('/') ? new Error('outside the workspace.') : path) };
    const errors = errorsOf(plan({ id: 's1', files: ['/etc/passwd', 'ok.ts'] }), refuse);
    assert.deepEqual(errors, ['Step "s1" lists the file "/etc/passwd", which cannot be used: outside the workspace. Use a path relative to the workspace root, such as "src/index.ts".']);
  });

  test('the default normalizer refuses absolute paths and ".."', () => {
    const errors = errorsOf(plan({ id: 's1', files: ['../x.ts', 'C:\\x.ts'] }));
    assert.match(errors[0] ?? '', /^Step "s1" lists the file "\.\.\/x\.ts", which cannot be used: "\.\." segments are not allowed/);
    assert.match(errors[1] ?? '', /^Step "s1" lists the file "C:\\x\.ts", which cannot be used: absolute paths are not allowed\./);
  });

  test('reports a file listed twice in one step, showing the spellings when they differ', () => {
    const errors = errorsOf(plan({ id: 's1', files: ['src/a.ts', './src/a.ts', 'b.ts', 'b.ts'] }));
    assert.deepEqual(errors, [
      'Step "s1" lists "src/a.ts" more than once (as "src/a.ts" and "./src/a.ts"); list each file once.',
      'Step "s1" lists "b.ts" more than once; list each file once.',
    ]);
  });

  test('reports two steps that may run at the same time owning the same files', () => {
    const errors = errorsOf(plan({ id: 's1', files: ['a.ts', 'b.ts', 'c.ts'] }, { id: 's2', files: ['./a.ts', 'c.ts'] }));
    assert.deepEqual(errors, [
      'Steps "s1" and "s2" both own the files "a.ts" and "c.ts" but may run at the same time (neither depends on the other, directly or through other steps); ' +
        'make one depend on the other (e.g. add "s1" to the dependencies of "s2") or merge them into one step.',
    ]);
  });

  test('siblings of one parent are concurrent: sharing a file is an error', () => {
    const errors = errorsOf(plan({ id: 'root' }, { id: 'x', depends_on: ['root'], files: ['a.ts'] }, { id: 'y', depends_on: ['root'], files: ['a.ts'] }));
    assert.match(errors[0] ?? '', /^Steps "x" and "y" both own the file "a\.ts" but may run at the same time/);
  });

  test('steps ordered directly or transitively may share a file', () => {
    const result = validatePlan(plan({ id: 's1', files: ['a.ts'] }, { id: 's2', depends_on: ['s1'], files: ['b.ts'] }, { id: 's3', depends_on: ['s2'], files: ['a.ts', 'b.ts'] }), context);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  });

  test('file conflicts are not reported while the order is broken by a cycle', () => {
    const errors = errorsOf(plan({ id: 's1', depends_on: ['s2'], files: ['a.ts'] }, { id: 's2', depends_on: ['s1'] }, { id: 's3', files: ['a.ts'] }));
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /cycle/);
  });
});

describe('graph helpers', () => {
  const steps = [
    { id: 'a', dependsOn: [] },
    { id: 'b', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['b'] },
    { id: 'd', dependsOn: [] },
  ];

  test('isOrdered follows transitive dependencies in both directions', () => {
    const closure = dependencyClosure(steps);
    assert.equal(isOrdered(closure, 'a', 'c'), true);
    assert.equal(isOrdered(closure, 'c', 'a'), true);
    assert.equal(isOrdered(closure, 'a', 'd'), false);
  });

  test('concurrentPairs lists the unordered pairs in plan order', () => {
    assert.deepEqual(concurrentPairs(steps), [['a', 'd'], ['b', 'd'], ['c', 'd']]);
  });
});

describe('readiness', () => {
  const submitted = plan({ id: 's1' }, { id: 's2', depends_on: ['s1'] }, { id: 's3', depends_on: ['s2'] }, { id: 's4' }, { id: 's5', depends_on: ['s4'] });

  test('ready steps are pending steps whose dependencies are all done', () => {
    assert.deepEqual(readySteps(withStatuses(submitted, {})).map((s) => s.id), ['s1', 's4']);
    assert.deepEqual(readySteps(withStatuses(submitted, { s1: 'done', s4: 'running' })).map((s) => s.id), ['s2']);
    assert.deepEqual(readySteps(withStatuses(submitted, { s1: 'done', s4: 'verifying' })).map((s) => s.id), ['s2'], 'verifying is not done');
  });

  test('a failed, skipped or cancelled dependency blocks its dependents transitively', () => {
    for (const status of ['failed', 'skipped', 'cancelled'] as const) {
      const state = withStatuses(submitted, { s1: status, s4: 'done' });
      assert.deepEqual(readySteps(state).map((s) => s.id), ['s5']);
      assert.deepEqual(blockedSteps(state).map((b) => [b.step.id, b.blockedBy]), [['s2', ['s1']], ['s3', ['s1']]]);
    }
  });

  test('nothing is blocked while dependencies are merely unfinished', () => {
    assert.deepEqual(blockedSteps(withStatuses(submitted, { s1: 'running' })), []);
  });
});

describe('validateReplan', () => {
  const current = withStatuses(plan({ id: 's1', files: ['a.ts'] }, { id: 's2', files: ['b.ts'] }, { id: 's3', files: ['c.ts'] }, { id: 's4' }), {
    s1: 'done',
    s2: 'running',
    s3: 'failed',
  });

  test('new steps may depend on kept steps and reuse the files of finished ones', () => {
    const result = validateReplan(current, plan({ id: 'n1', depends_on: ['s1'], files: ['a.ts'] }, { id: 'n2', files: ['c.ts'] }, { id: 's4' }), context);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  });

  test('rejects reusing the id of a kept step, depending on a failed one, and sharing a running step\'s file', () => {
    const result = validateReplan(current, plan({ id: 's1' }, { id: 'n2', depends_on: ['s3'] }, { id: 'n3', files: ['b.ts'] }), context);
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      'Step id "s1" is used by more than one step (the done step already in the plan and step 1); give every step its own id.',
      'Step "n2" depends on "s3", which is failed, so it could never run; remove the dependency or redo that work in a new step.',
    ]);
    const conflict = validateReplan(current, plan({ id: 'n3', files: ['b.ts'] }), context);
    assert.ok(!conflict.ok);
    assert.match(conflict.errors[0] ?? '', /^Steps "s2" and "n3" both own the file "b\.ts" but may run at the same time/);
  });
});

describe('defaultNormalizePath', () => {
  test('normalizes separators and dot segments, refuses what leaves the workspace', () => {
    assert.equal(defaultNormalizePath('./src//a.ts'), 'src/a.ts');
    assert.equal(defaultNormalizePath('src\\b.ts'), 'src/b.ts');
    for (const bad of ['/abs', '~/x', 'D:/x', 'a/../../b', '', '.']) assert.ok(defaultNormalizePath(bad) instanceof Error, bad);
  });
});
