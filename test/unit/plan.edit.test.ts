import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlanEdit, type PlanEditResult } from '../../src/agent/plan/parsePlanEdit';
import { createPlan, finishStep, setStatus, startStep } from '../../src/agent/plan/planState';
import { submittedPlanSchema, type Plan } from '../../src/protocol/plan';
import { renderPlanMarkdown } from '../../src/agent/plan/renderPlan';

/** s1 done (a.ts), s2 running (b.ts), s3 pending after s1 (c.ts), s4 pending (d.ts), s5 pending after s3 (c.ts). */
function basePlan(): Plan {
  const step = (id: string, files: string[], depends_on: string[] = []) => ({ id, title: `Step ${id}`, instructions: `Do ${id}.`, files, depends_on });
  const submitted = submittedPlanSchema.parse({
    summary: 'Base',
    steps: [step('s1', ['a.ts']), step('s2', ['b.ts']), step('s3', ['c.ts'], ['s1']), step('s4', ['d.ts']), step('s5', ['c.ts'], ['s3'])],
  });
  let plan = setStatus(createPlan('run-1', 'Task', submitted), 'running');
  plan = startStep(plan, 's1', { startedAt: '2025-01-01T10:00:00.000Z' });
  plan = finishStep(plan, 's1', { status: 'done', summary: 'Done.', attempt: { endedAt: '2025-01-01T10:01:00.000Z', outcome: 'passed' } });
  return startStep(plan, 's2', { startedAt: '2025-01-01T10:01:00.000Z' });
}

/** The step's block, from its marker through the blank line after it. */
function blockOf(markdown: string, id: string): string {
  const start = markdown.indexOf(`<!-- plumbline:step ${id} -->`);
  assert.ok(start >= 0, `no block for ${id}`);
  return markdown.slice(start, markdown.indexOf('\n\n', start) + 2);
}

const ids = (plan: Plan): string[] => plan.steps.map((step) => step.id);
const stepOf = (plan: Plan, id: string) => plan.steps.find((step) => step.id === id)!;

/** Edits the rendered document and parses it back; checks the current plan is never modified. */
function edit(plan: Plan, change: (markdown: string) => string): PlanEditResult {
  const before = structuredClone(plan);
  const markdown = renderPlanMarkdown(plan);
  const changed = change(markdown);
  assert.notEqual(changed, markdown, 'the test did not change the document');
  const result = parsePlanEdit(changed, plan);
  assert.deepEqual(plan, before, 'the current plan was modified');
  return result;
}

function accepted(result: PlanEditResult): { plan: Plan; changes: string[] } {
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return result;
}

function rejected(result: PlanEditResult): string[] {
  assert.ok(!result.ok, 'expected the edit to be rejected');
  return result.errors;
}

/** Replaces text inside one step's block only. */
const inBlock = (id: string, from: string, to: string) => (markdown: string): string => {
  const block = blockOf(markdown, id);
  assert.ok(block.includes(from), `${from} not in ${id}`);
  return markdown.replace(block, block.replace(from, to));
};

const newStep = (header: string, body = '  - Instructions:\n    > New work.\n') => (markdown: string): string =>
  markdown.replace('<!-- plumbline:steps-end -->', `${header}\n${body}\n<!-- plumbline:steps-end -->`);

describe('parsePlanEdit: allowed edits to pending steps', () => {
  const plan = basePlan();

  test('rewording a title and the instructions', () => {
    const { plan: next, changes } = accepted(edit(plan, (md) => inBlock('s3', '· Step s3', '· Better title')(inBlock('s3', '    > Do s3.', '    > Do s3 carefully.\n    >\n    >     code()')(md))));
    assert.deepEqual(changes, ['reworded s3']);
    assert.equal(stepOf(next, 's3').title, 'Better title');
    assert.equal(stepOf(next, 's3').instructions, 'Do s3 carefully.\n\n    code()');
    assert.equal(next.revision, plan.revision + 1);
    assert.deepEqual(stepOf(next, 's1'), stepOf(plan, 's1'), 'a started step keeps its state');
    assert.deepEqual(stepOf(next, 's2'), stepOf(plan, 's2'));
  });

  test('changing files, with paths normalized, across lines and without backticks', () => {
    const { plan: next, changes } = accepted(edit(plan, inBlock('s4', '  - Files: `d.ts`', '  - Files: ./d.ts,\n    lib\\e.ts')));
    assert.deepEqual(changes, ['changed files of s4']);
    assert.deepEqual(stepOf(next, 's4').files, ['d.ts', 'lib/e.ts']);
  });

  test('changing dependencies and verify', () => {
    const { plan: next, changes } = accepted(edit(plan, inBlock('s4', '  - Depends on: none', '  - Depends on: `s1`, s3\n  - Verify: npm test -- d')));
    assert.deepEqual(changes, ['changed dependencies of s4', 'changed verify of s4']);
    assert.deepEqual(stepOf(next, 's4').dependsOn, ['s1', 's3']);
    assert.equal(stepOf(next, 's4').verify, 'npm test -- d');
    const removed = accepted(parsePlanEdit(renderPlanMarkdown(next).replace('  - Verify: npm test -- d\n', ''), next));
    assert.deepEqual(removed.changes, ['changed verify of s4']);
    assert.equal('verify' in stepOf(removed.plan, 's4'), false);
  });

  test('reordering pending steps', () => {
    const { plan: next, changes } = accepted(edit(plan, (md) => md.replace(blockOf(md, 's4'), '').replace(blockOf(md, 's3'), blockOf(md, 's4') + blockOf(md, 's3'))));
    assert.deepEqual(changes, ['reordered steps']);
    assert.deepEqual(ids(next), ['s1', 's2', 's4', 's3', 's5']);
  });

  test('removing a pending step, by its whole block or only its visible lines', () => {
    const whole = accepted(edit(plan, (md) => md.replace(blockOf(md, 's4'), '')));
    assert.deepEqual(whole.changes, ['removed s4']);
    assert.deepEqual(ids(whole.plan), ['s1', 's2', 's3', 's5']);
    const visible = accepted(edit(plan, (md) => md.replace(blockOf(md, 's4'), '<!-- plumbline:step s4 -->\n\n')));
    assert.deepEqual(visible.plan, whole.plan);
  });

  test('adding steps: placeholders get u1, u2…, explicit ids are kept', () => {
    const { plan: next, changes } = accepted(edit(plan, (md) => newStep('- [ ] Untitled id step')(newStep('- [ ] **docs** · Write docs')(newStep('- [ ] **new** · pending · First new')(md)))));
    assert.deepEqual(changes, ['added u1', 'added docs', 'added u2']);
    assert.deepEqual(ids(next).slice(5), ['u1', 'docs', 'u2']);
    assert.deepEqual(stepOf(next, 'u1'), { id: 'u1', title: 'First new', instructions: 'New work.', files: [], dependsOn: [], status: 'pending', attempts: [], changedFiles: [] });
    assert.equal(stepOf(next, 'u2').title, 'Untitled id step');
  });

  test('a new step always starts pending, whatever its checkbox says', () => {
    const { plan: next, changes } = accepted(edit(plan, newStep('- [x] **new** · done · Already done?')));
    assert.deepEqual(changes, ['added u1', 'ignored the status written on new step u1: new steps start pending']);
    assert.equal(stepOf(next, 'u1').status, 'pending');
  });

  test('assigned ids skip ids already in use', () => {
    const { plan: next } = accepted(edit(plan, (md) => newStep('- [ ] **new** · b')(newStep('- [ ] **u1** · a')(md))));
    assert.deepEqual(ids(next).slice(5), ['u1', 'u2']);
  });

  test('a new step between others, with unquoted instruction lines and a dependency', () => {
    const added = '- [ ] **new** · Lazy\n  - Files: `e.ts`\n  - Depends on: s3\n  - Instructions:\n    First line\n\n    Second line\n\n';
    const { plan: next } = accepted(edit(plan, (md) => md.replace(blockOf(md, 's4'), added + blockOf(md, 's4'))));
    assert.deepEqual(ids(next), ['s1', 's2', 's3', 'u1', 's4', 's5']);
    assert.equal(stepOf(next, 'u1').instructions, 'First line\n\nSecond line');
    assert.deepEqual(stepOf(next, 'u1').dependsOn, ['s3']);
  });

  test('a pending step sharing a file with a finished step needs no dependency', () => {
    const { changes } = accepted(edit(plan, inBlock('s4', '`d.ts`', '`d.ts`, `a.ts`')));
    assert.deepEqual(changes, ['changed files of s4']);
  });
});

describe('parsePlanEdit: edits to steps that have started are ignored and reported', () => {
  const plan = basePlan();

  test('rewording a done step or changing a running step\'s files', () => {
    const result = accepted(edit(plan, (md) => inBlock('s1', '· Step s1', '· Changed')(inBlock('s2', '`b.ts`', '`x.ts`')(inBlock('s2', '> Do s2.', '> Other.')(md)))));
    assert.deepEqual(result.changes, [
      'ignored edit to done step s1 (title): steps that have started cannot change',
      'ignored edit to running step s2 (instructions, files): steps that have started cannot change',
    ]);
    assert.equal(result.plan, plan, 'nothing was applied, so the plan and its revision are unchanged');
  });

  test('removing started steps puts them back where they were', () => {
    const result = accepted(edit(plan, (md) => md.replace(blockOf(md, 's1'), '').replace(blockOf(md, 's2'), '')));
    assert.deepEqual(result.changes, ['ignored removal of done step s1: steps that have started stay in the plan', 'ignored removal of running step s2: steps that have started stay in the plan']);
    assert.equal(result.plan, plan);
  });

  test('moving a started step does not move it', () => {
    const result = accepted(edit(plan, (md) => md.replace(blockOf(md, 's2'), '').replace(blockOf(md, 's1'), blockOf(md, 's2') + blockOf(md, 's1'))));
    assert.deepEqual(result.changes, ['ignored reordering of steps that have started (s1, s2): they keep their order']);
    assert.equal(result.plan, plan);
  });

  test('renaming a started step is ignored; checking a pending step\'s box is ignored', () => {
    const result = accepted(edit(plan, (md) => inBlock('s1', '**s1**', '**first**')(inBlock('s4', '- [ ]', '- [x]')(md))));
    assert.deepEqual(result.changes, [
      'ignored edit to done step s1 (id): steps that have started cannot change',
      'ignored status change on pending step s4: Plumbline sets the status; delete the block to remove the step',
    ]);
    assert.equal(result.plan, plan);
  });

  test('allowed edits still apply next to ignored ones', () => {
    const result = accepted(edit(plan, (md) => inBlock('s1', '· Step s1', '· Changed')(inBlock('s3', '· Step s3', '· Reworded')(md))));
    assert.deepEqual(result.changes, ['reworded s3', 'ignored edit to done step s1 (title): steps that have started cannot change']);
    assert.equal(stepOf(result.plan, 's3').title, 'Reworded');
    assert.deepEqual(stepOf(result.plan, 's1'), stepOf(plan, 's1'));
  });

  test('once the plan has ended, every edit is ignored', () => {
    const ended = { ...plan, status: 'cancelled' as const };
    const result = accepted(edit(ended, inBlock('s4', '· Step s4', '· Too late')));
    assert.deepEqual(result.changes, ['ignored edits: the run has ended (cancelled), so the plan can no longer change']);
    assert.equal(result.plan, ended);
  });
});

describe('parsePlanEdit: invalid edits are errors and keep the current plan', () => {
  const plan = basePlan();
  const expectError = (change: (markdown: string) => string, pattern: RegExp): void => {
    const errors = rejected(edit(plan, change));
    assert.ok(errors.some((error) => pattern.test(error)), `no error matched ${pattern}:\n${errors.join('\n')}`);
  };

  test('an unknown dependency', () => {
    expectError(inBlock('s4', 'Depends on: none', 'Depends on: zz'), /^Step "s4" depends on "zz", which is not a step in this plan; remove it or use one of: s1, s2, s3, s4, s5\.$/);
  });

  test('removing a step another depends on', () => {
    expectError((md) => md.replace(blockOf(md, 's3'), ''), /^Step "s5" depends on "s3", which is not a step in this plan/);
  });

  test('a cycle', () => {
    expectError(inBlock('s3', 'Depends on: s1', 'Depends on: s1, s5'), /^Steps depend on each other in a cycle: s3 → s5 → s3 /);
  });

  test('a new step reusing an existing id, or another new step\'s id', () => {
    expectError(newStep('- [ ] **s3** · Copy'), /^Line \d+: the new step's id "s3" already belongs to step "s3"; choose another id or write "new"\. If this block is step "s3", put its line <!-- plumbline:step s3 --> back above it\.$/);
    expectError((md) => newStep('- [ ] **x** · Two')(newStep('- [ ] **x** · One')(md)), /^Line \d+: the new step's id "x" is also used by the new step at line \d+; give each step its own id\.$/);
    expectError(newStep('- [ ] **Bad Id** · Bad'), /^Line \d+: "Bad Id" is not a valid step id; use 1–32 lowercase letters/);
  });

  test('a copied block that kept the original marker', () => {
    expectError((md) => md.replace(blockOf(md, 's4'), blockOf(md, 's4') + blockOf(md, 's4')), /^Line \d+: a second block is marked as step "s4" \(the first is at line \d+\); if you copied the step/);
  });

  test('a marker for a step the plan does not have', () => {
    expectError(newStep('<!-- plumbline:step gone -->\n- [ ] **gone** · Gone'), /^Line \d+: the block is marked as step "gone", but the plan has no such step/);
  });

  test('renaming a pending step', () => {
    expectError(inBlock('s4', '**s4**', '**s44**'), /^Line \d+: step "s4" was renamed to "s44", but an existing step's id cannot change/);
  });

  test('a new step owning a file of a step it may run alongside', () => {
    expectError(newStep('- [ ] **new** · Clash', '  - Files: `d.ts`\n  - Instructions:\n    > x\n'), /^Steps "s4" and "u1" both own the file "d\.ts" but may run at the same time/);
  });

  test('a step without title or instructions', () => {
    expectError(newStep('- [ ] **new** · pending ·', '  - Instructions:\n    > x\n'), /^Line \d+: step "u1" has no title/);
    expectError(inBlock('s4', '    > Do s4.\n', ''), /^Line \d+: step "s4" has no instructions; write them as "> " lines under "- Instructions:"\.$/);
  });

  test('a path outside the workspace', () => {
    expectError(inBlock('s4', '`d.ts`', '`../d.ts`'), /^Step "s4" lists the file "\.\.\/d\.ts", which cannot be used/);
  });

  test('malformed documents', () => {
    expectError((md) => md.replace('<!-- plumbline:steps -->', ''), /^The line <!-- plumbline:steps --> that starts the steps is missing/);
    expectError((md) => md.replace('<!-- plumbline:steps -->\n', '<!-- plumbline:steps -->\nstray words\n'), /^Line \d+: "stray words" is outside any step/);
    expectError(inBlock('s4', '  - Depends on: none', '  - Depends on: none\n  - Files: `z.ts`'), /^Line \d+: a second "Files" line in one step; keep only one\.$/);
    expectError(inBlock('s4', '  - Depends on: none', '  - Depends on: none\n  - Owner: me'), /^Line \d+: "- Owner: me" is not part of any field of the step/);
    expectError((md) => md.replace(blockOf(md, 's4'), '<!-- plumbline:step s4 -->\n  - Files: `d.ts`\n\n'), /^Line \d+: the step "s4" has no heading line/);
  });
});
