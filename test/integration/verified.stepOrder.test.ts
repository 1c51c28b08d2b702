import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, requestsOf, snapshot, startFake } from '../unit/support/scenarioHarness';
import { acceptAll, lastUserText, makeVerifiedRepo, startVerifySession, type ReviewAnswer, type ReviewParams } from '../unit/support/verifyHarness';

test('step mode: a dependent step waits for its dependency\'s review even when a sibling finishes meanwhile, and reviews come one at a time', { timeout: 120000 }, async () => {
  const repo = makeVerifiedRepo('calc');
  const start = snapshot(repo, ['src/calc.js', 'src/format.js', 'README.md']);
  const server = await startFake('verified-step-order');
  const open: { params: ReviewParams; answer: (answer: ReviewAnswer) => void }[] = [];
  const run = await startVerifySession(repo, server, { onReview: (params) => new Promise<ReviewAnswer>((answer) => open.push({ params, answer })) });
  const reviewOf = (path: string) => open.find((entry) => entry.params.files.some((file) => file.path === path));
  try {
    await run.start('Describe calc.js, the format, and the README', 'step');

    // s1 is reviewed while s3 (slower) still works; s3 then finishes, verified, while s1's review is open.
    await eventually(() => reviewOf('src/calc.js') !== undefined, "s1's review", 30000);
    await run.log.waitFor('step/finished', (event) => event.stepId === 's3', 30000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(open.length, 1, 'no second review request while the first is open');
    assert.deepEqual(run.log.of('step/started').map((event) => event.stepId), ['s1', 's3'], 's2 did not start on s1 before its review');
    for (const [path, bytes] of start) assert.ok(repo.read(path).equals(bytes), `${path} is untouched while the review is open`);

    // The user rejects s1: the orchestrator re-plans s2, and only then does s3's review come.
    reviewOf('src/calc.js')?.answer({ decisions: [] });
    await eventually(() => reviewOf('README.md') !== undefined, "s3's review", 30000);
    const replan = requestsOf(server, 'orchestrator')[1];
    assert.ok(replan !== undefined, 'the orchestrator was asked to re-plan');
    assert.match(lastUserText(replan), /^The user did not accept all of step s1's changes \(src\/calc\.js\)/);
    const s3Review = reviewOf('README.md');
    s3Review?.answer(acceptAll(s3Review.params));
    await eventually(() => reviewOf('src/format.js') !== undefined, "s2's review", 30000);
    const s2Review = reviewOf('src/format.js');
    s2Review?.answer(acceptAll(s2Review.params));

    const finished = await run.log.waitFor('run/finished', undefined, 60000);
    assert.equal(finished.status, 'completed', finished.reason);
    assert.deepEqual(open.map((entry) => entry.params.files.map((file) => file.path)), [['src/calc.js'], ['README.md'], ['src/format.js']]);
    // s2 started only after s1's review was decided (it is the first review/decided).
    const order = run.log.events.flatMap((event) => (event.type === 'review/decided' ? ['decided'] : event.type === 'step/started' ? [event.stepId] : []));
    assert.ok(order.indexOf('s2') > order.indexOf('decided'), order.join(', '));
    assert.ok(repo.read('src/calc.js').equals(start.get('src/calc.js') ?? Buffer.alloc(0)), 's1 was rejected');
    assert.match(repo.text('src/format.js'), /result: \$\{value\}/);
    assert.match(repo.text('README.md'), /Helpers: add, subtract/);
  } finally {
    for (const entry of open) entry.answer({ decisions: [] });
    await run.close();
    await server.close();
    repo.remove();
  }
});
