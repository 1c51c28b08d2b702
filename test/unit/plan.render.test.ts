import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlanEdit } from '../../src/agent/plan/parsePlanEdit';
import { addNote, createPlan, finishStep, markVerifying, setCost, setStatus, setSummaryOfChanges, skipStep, startStep } from '../../src/agent/plan/planState';
import { planStatuses, submittedPlanSchema, type Plan } from '../../src/protocol/plan';
import { renderPlanMarkdown } from '../../src/agent/plan/renderPlan';

const t0 = '2025-01-01T10:00:00.000Z';
const t1 = '2025-01-01T10:01:00.000Z';

/** One step in every status: s1 done, s2 failed, s3 pending and blocked by s2, s4 running, s5 verifying, s6 skipped, s7 cancelled, s8 pending and ready. */
function everyStatus(): Plan {
  const step = (id: string, extra: object = {}) => ({ id, title: `Step ${id}`, instructions: `Do ${id}.`, files: [`${id}.ts`], ...extra });
  const submitted = submittedPlanSchema.parse({
    summary: 'Every status at once.',
    steps: [
      step('s1'), step('s2'), step('s3', { depends_on: ['s2'] }), step('s4'), step('s5'), step('s6', { depends_on: ['s2'] }), step('s7'),
      step('s8', { depends_on: ['s1'], verify: 'npm test -- s8', files: ['src/with space.ts', 'lib/b.ts'] }),
    ],
  });
  let plan = setStatus(createPlan('run-7', 'Exercise the renderer', submitted), 'running');
  plan = startStep(plan, 's1', { startedAt: t0, model: 'haiku' });
  plan = finishStep(plan, 's1', { status: 'done', summary: 'Did s1.', changedFiles: ['s1.ts'], attempt: { endedAt: t1, outcome: 'passed' } });
  plan = startStep(plan, 's2', { startedAt: t0 });
  plan = finishStep(plan, 's2', { status: 'failed', error: 'Tests failed:\nexpected 1, got 2', attempt: { endedAt: t1, outcome: 'failed', detail: 'FAIL s2.test.ts\n  expected 1' } });
  plan = startStep(plan, 's4', { startedAt: t0 });
  plan = markVerifying(startStep(plan, 's5', { startedAt: t0 }), 's5');
  plan = skipStep(plan, 's6', 'blocked by s2');
  plan = skipStep(startStep(plan, 's7', { startedAt: t0 }), 's7', 'stopped by the user', 'cancelled');
  plan = addNote(plan, 'Found a second config loader.');
  return setCost(plan, { usd: 0.01234, unpricedCalls: 2 });
}

const lines = (plan: Plan): string[] => renderPlanMarkdown(plan).split('\n');

describe('renderPlanMarkdown', () => {
  const plan = everyStatus();
  const text = renderPlanMarkdown(plan);

  test('title, summary and status line with cost', () => {
    assert.ok(lines(plan).includes('# Plan: Exercise the renderer'));
    assert.ok(lines(plan).includes('Every status at once.'));
    assert.ok(lines(plan).includes('**Status:** running · 1/8 steps done · cost $0.0123 (+2 unpriced calls)'));
    assert.ok(lines(setCost(plan, { usd: 1.5, unpricedCalls: 1 })).includes('**Status:** running · 1/8 steps done · cost $1.5000 (+1 unpriced call)'));
    assert.match(renderPlanMarkdown(setCost(plan, { usd: 0, unpricedCalls: 0 })), /^\*\*Status:\*\* running · 1\/8 steps done · cost 0 tokens$/m);
    // A model without a price: the tokens, never $0.0000.
    assert.match(renderPlanMarkdown(setCost(plan, { usd: 0, unpricedCalls: 3, tokens: 45600 })), /^\*\*Status:\*\* running · 1\/8 steps done · cost 45\.6k tokens \(unpriced\)$/m);
  });

  test('starts with the plan; what the user may edit, with a template, is a comment at the end', () => {
    assert.match(text, /^# Plan: /, 'the plan comes first');
    assert.ok(text.split('\n').slice(0, 4).filter((line) => line.includes('<!--')).length <= 1, 'at most one short line of help at the top');
    assert.match(text, /\n<!-- plumbline:plan run-7\n[^]*-->\n$/, 'the help is the last thing in the file');
    assert.ok(text.indexOf('<!-- plumbline:plan') > text.indexOf('<!-- plumbline:steps-end -->'));
    assert.match(text, /PENDING steps only/);
    assert.match(text, /\n- \[ \] \*\*new\*\* · pending · Title of the new step\n/);
    assert.ok(text.lastIndexOf('-->') > text.indexOf('Title of the new step'), 'the template is inside the comment');
  });

  test('one checklist item per step: checked only when done, with its status word', () => {
    const all = lines(plan);
    const headers = all.slice(all.indexOf('<!-- plumbline:steps -->'), all.indexOf('<!-- plumbline:steps-end -->')).filter((line) => line.startsWith('- ['));
    assert.deepEqual(headers, [
      '- [x] **s1** · done · Step s1',
      '- [ ] **s2** · failed · Step s2',
      '- [ ] **s3** · pending · Step s3',
      '- [ ] **s4** · running · Step s4',
      '- [ ] **s5** · verifying · Step s5',
      '- [ ] **s6** · skipped · Step s6',
      '- [ ] **s7** · cancelled · Step s7',
      '- [ ] **s8** · pending · Step s8',
    ]);
    assert.ok(lines(plan).includes('<!-- plumbline:step s1 -->'));
  });

  test('files, dependencies, verify, attempts, model, worker summary and error', () => {
    const block = (id: string): string => text.slice(text.indexOf(`<!-- plumbline:step ${id} -->`), text.indexOf('\n\n', text.indexOf(`<!-- plumbline:step ${id} -->`)));
    assert.equal(block('s8'), [
      '<!-- plumbline:step s8 -->',
      '- [ ] **s8** · pending · Step s8',
      '  - Files: `src/with space.ts`, `lib/b.ts`',
      '  - Depends on: s1',
      '  - Verify: npm test -- s8',
      '  - Instructions:',
      '    > Do s8.',
    ].join('\n'));
    assert.equal(block('s1'), [
      '<!-- plumbline:step s1 -->',
      '- [x] **s1** · done · Step s1',
      '  - Files: `s1.ts`',
      '  - Depends on: none',
      '  - Model: haiku',
      `  - Attempt 1: passed · ${t0} → ${t1} · haiku`,
      '  - Worker summary: Did s1.',
      '  - Changed files: `s1.ts`',
      '  - Instructions:',
      '    > Do s1.',
    ].join('\n'));
    assert.match(block('s2'), new RegExp(`  - Attempt 1: failed · ${t0} → ${t1}\\n    > FAIL s2\\.test\\.ts\\n    >   expected 1\\n`));
    assert.ok(block('s2').includes('  - Error:\n    > Tests failed:\n    > expected 1, got 2\n'));
    assert.match(block('s4'), new RegExp(`  - Attempt 1: in progress · started ${t0}\\n`));
    assert.match(block('s7'), new RegExp(`  - Attempt 1: interrupted · started ${t0}\\n`), 'a cancelled step\'s attempt is not in progress');
    assert.ok(block('s3').includes('  - Depends on: s2\n  - Blocked by: s2 (it will not run unless you remove the dependency)\n'));
  });

  test('notes, then the summary of changes at the end (before the editing help)', () => {
    assert.match(text, /\n## Notes\n\n- Found a second config loader\.\n\n<!-- plumbline:plan /);
    const finished = setSummaryOfChanges(plan, 'Renamed the loader.\nUpdated callers.');
    assert.match(renderPlanMarkdown(finished), /\n## Summary of changes\n\nRenamed the loader\.\nUpdated callers\.\n\n<!-- plumbline:plan /);
    assert.doesNotMatch(renderPlanMarkdown(createPlan('r', 't', submittedPlanSchema.parse({ summary: 's', steps: [{ id: 'a', title: 't', instructions: 'i', files: [] }] }))), /## Notes|## Summary of changes/);
  });

  test('is deterministic', () => {
    assert.equal(renderPlanMarkdown(structuredClone(plan)), text);
  });
});

describe('round trip', () => {
  for (const status of planStatuses) {
    test(`a ${status} plan reads back unchanged`, () => {
      const plan = { ...everyStatus(), status };
      const result = parsePlanEdit(renderPlanMarkdown(plan), plan);
      assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
      assert.deepEqual(result.plan, plan);
      assert.deepEqual(result.changes, []);
    });
  }

  test('a fresh draft reads back unchanged', () => {
    const plan = createPlan('r', 'Task', submittedPlanSchema.parse({ summary: 's', steps: [{ id: 'only', title: 't', instructions: 'i', files: [] }] }));
    const result = parsePlanEdit(renderPlanMarkdown(plan), plan);
    assert.deepEqual(result, { ok: true, plan, changes: [] });
  });

  test('text that looks like the document\'s own syntax survives', () => {
    const instructions = [
      'Edit the list:',
      '- Files: `not/a/field.ts`',
      '- [ ] **x** · pending · not a step',
      '<!-- plumbline:step s9 -->',
      '<!-- plumbline:steps-end -->',
      '## Not a heading',
      '> a quote',
      '',
      '    indented code',
      '\ttabbed',
    ].join('\n');
    const submitted = submittedPlanSchema.parse({
      summary: 'Summary with a marker:\n<!-- plumbline:steps -->',
      steps: [
        { id: 'odd_id-1', title: 'Title · done · with `code` and **bold**', instructions, files: ['a b/c.ts'], verify: 'npm test -- --grep "x, y"' },
        { id: '2nd', title: 'Second', instructions: 'x', files: [], depends_on: ['odd_id-1'] },
      ],
    });
    const plan = addNote(createPlan('r', 'Line one\n<!-- plumbline:steps-end -->\nline three', submitted), 'note\n<!-- plumbline:steps -->');
    const markdown = renderPlanMarkdown(plan);
    assert.equal(markdown.split('\n').filter((line) => line.trim() === '<!-- plumbline:steps -->').length, 1, 'free text cannot fake a marker');
    const result = parsePlanEdit(markdown, plan);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(result.plan, plan);
    assert.deepEqual(result.changes, []);
  });

  test('Windows line endings and stripped trailing whitespace are not edits', () => {
    const plan = everyStatus();
    const edited = renderPlanMarkdown(plan).replace(/[ \t]+$/gm, '').replace(/\n/g, '\r\n');
    const result = parsePlanEdit(edited, plan);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(result.changes, []);
    assert.equal(result.plan, plan);
  });
});
