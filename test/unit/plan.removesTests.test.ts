/**
 * A plan step may declare the tests it removes or renames (`removes_tests` in submit_plan,
 * `removesTests` in the plan): validated by the schema, rendered in plan.md, and read back from the
 * user's edits like the other fields of a pending step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlanEdit } from '../../src/agent/plan/parsePlanEdit';
import { createPlan } from '../../src/agent/plan/planState';
import { submittedPlanSchema, type Plan } from '../../src/protocol/plan';
import { renderPlanMarkdown } from '../../src/agent/plan/renderPlan';
import { submitPlanTool } from '../../src/tools/submitPlan';
import { toToolSpec } from '../../src/tools/defineTool';
import { renderPlanForTerminal } from '../../src/cli/planView';

function plan(removes?: string[]): Plan {
  const submitted = submittedPlanSchema.parse({
    summary: 'Rename a test',
    steps: [{ id: 's1', title: 'Rename', instructions: 'Rename the greeting test.', files: ['test/greet.test.js'], ...(removes !== undefined ? { removes_tests: removes } : {}) }],
  });
  return createPlan('run-1', 'Task', submitted);
}

test('submit_plan takes removes_tests: names on one line, without backticks, trimmed and de-duplicated into the plan', () => {
  const schema = JSON.stringify(toToolSpec(submitPlanTool).inputSchema);
  assert.match(schema, /"removes_tests"/);
  assert.match(submitPlanTool.description, /removes_tests/);
  assert.deepEqual(plan([' greets ', 'greets', 'suite › says goodbye, kindly']).steps[0]?.removesTests, ['greets', 'suite › says goodbye, kindly']);
  assert.equal('removesTests' in (plan().steps[0] ?? {}), false, 'absent, not undefined');
  assert.equal('removesTests' in (plan([]).steps[0] ?? {}), false, 'an empty list is no declaration');
  const refused = (name: string): string[] =>
    submittedPlanSchema.safeParse({ summary: 'x', steps: [{ id: 's1', title: 't', instructions: 'i', files: [], removes_tests: [name] }] }).error?.issues.map((issue) => issue.message) ?? [];
  assert.deepEqual(refused('two\nlines'), ['a test name in removes_tests must be a single line without backticks']);
  assert.deepEqual(refused('has `backtick`'), ['a test name in removes_tests must be a single line without backticks']);
  assert.deepEqual(refused(' '), ['a test name in removes_tests must not be empty']);
});

test('plan.md shows the declared tests in backticks and reads them back unchanged', () => {
  const current = plan(['greets', 'suite › says goodbye, kindly']);
  const markdown = renderPlanMarkdown(current);
  assert.match(markdown, /\n {2}- Removes tests: `greets`, `suite › says goodbye, kindly`\n/);
  assert.match(markdown, /Removes tests \(in backticks: tests the step removes or renames/);
  const same = parsePlanEdit(markdown, current);
  assert.ok(same.ok);
  assert.deepEqual(same.changes, []);
  assert.equal(same.plan, current);
});

test('the user can add, change and remove the declaration of a pending step', () => {
  const current = plan();
  const added = parsePlanEdit(renderPlanMarkdown(current).replace('`test/greet.test.js`\n  - Depends on: none\n', '`test/greet.test.js`\n  - Depends on: none\n  - Removes tests: `greets`, `test/old.test.js`\n'), current);
  assert.ok(added.ok, JSON.stringify(added));
  assert.deepEqual(added.changes, ['changed removed tests of s1']);
  assert.deepEqual(added.plan.steps[0]?.removesTests, ['greets', 'test/old.test.js']);

  const declared = added.plan;
  const changed = parsePlanEdit(renderPlanMarkdown(declared).replace('`test/old.test.js`', '`says goodbye`'), declared);
  assert.ok(changed.ok);
  assert.deepEqual(changed.plan.steps[0]?.removesTests, ['greets', 'says goodbye']);

  const removed = parsePlanEdit(renderPlanMarkdown(declared).replace(/ {2}- Removes tests: .*\n/, ''), declared);
  assert.ok(removed.ok);
  assert.deepEqual(removed.changes, ['changed removed tests of s1']);
  assert.equal('removesTests' in (removed.plan.steps[0] ?? {}), false);

  const none = parsePlanEdit(renderPlanMarkdown(declared).replace(/ {2}- Removes tests: .*\n/, '  - Removes tests: none\n'), declared);
  assert.ok(none.ok);
  assert.equal('removesTests' in (none.plan.steps[0] ?? {}), false);
});

test('the terminal shows the declared tests with the plan it asks the user to approve', () => {
  const shown = renderPlanForTerminal(plan(['greets', 'test/old.test.js']), { colors: false });
  assert.match(shown, /s1 Rename \[test\/greet\.test\.js\]\n {6}removes tests: greets, test\/old\.test\.js/);
  assert.doesNotMatch(renderPlanForTerminal(plan(), { colors: false }), /removes tests/);
});
