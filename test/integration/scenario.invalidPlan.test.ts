import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStartRequest } from '../../src/protocol/methods';
import { lastToolResults, makeRepo, requestsOf, startFake, startRunSession } from '../unit/support/scenarioHarness';

test('invalid plans go back to the orchestrator as tool errors until a valid one is accepted and run', { timeout: 90000 }, async () => {
  const repo = makeRepo();
  const server = await startFake('scenario-invalid-plan');
  const run = await startRunSession(repo, server);
  try {
    const { runId } = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: true });
    const finished = await run.log.waitFor('run/finished');
    assert.equal(finished.runId, runId);
    assert.equal(finished.status, 'completed', finished.reason);

    // Each rejection came back to the model in its next request, as an error tool result naming the problem.
    const orchestrator = requestsOf(server, 'orchestrator');
    assert.equal(orchestrator.length, 4);
    const expected = [
      /Steps depend on each other in a cycle: s1 → s2 → s1/,
      /Step "s3" depends on "s9", which is not a step in this plan; remove it or use one of: s1, s2, s3\./,
      /Steps "s1" and "s2" both own the file "src\/greet\.js" but may run at the same time/,
    ];
    for (const [index, pattern] of expected.entries()) {
      const results = lastToolResults(orchestrator[index + 1]!);
      assert.equal(results.length, 1);
      assert.equal(results[0]?.isError, true);
      assert.match(results[0]?.text ?? '', /^The plan was not accepted\. Fix these and call submit_plan again:\n- /);
      assert.match(results[0]?.text ?? '', pattern);
    }
    assert.deepEqual(
      run.log.of('tool/result').filter((event) => event.role === 'orchestrator').map((event) => event.ok),
      [false, false, false, true],
    );

    // Only the corrected plan ever became the plan: the first one the client saw, and the one it approved.
    const [draft] = run.log.of('plan/updated');
    assert.equal(draft?.plan.status, 'draft');
    assert.equal(draft.plan.summary, 'Rename greet to welcome and farewell to goodbye, then update the tests.');
    assert.deepEqual(draft.plan.steps.map((step) => [step.id, step.files, step.dependsOn]), [
      ['s1', ['src/greet.js'], []],
      ['s2', ['src/farewell.js'], []],
      ['s3', ['test/greet.test.js'], ['s1', 's2']],
    ]);
    assert.equal(run.approvals.length, 1);
    assert.equal(run.approvals[0]?.plan.summary, draft.plan.summary);
    assert.match(run.approvals[0]?.markdown ?? '', /\*\*Status:\*\* draft \(waiting for approval/);
    assert.doesNotMatch(run.log.of('plan/updated').map((event) => event.markdown).join('\n'), /A plan with a cycle|unknown dependency|own one file/);

    // ...and it ran to the end.
    assert.deepEqual(run.log.planStatuses(), ['draft', 'running', 'completed']);
    for (const id of ['s1', 's2', 's3']) assert.deepEqual(run.log.stepStatuses(id), ['pending', 'running', 'done']);
    assert.deepEqual([...finished.applied].sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
    assert.match(repo.read('test/greet.test.js').toString(), /welcome\('Ada'\)/);
  } finally {
    await run.close();
    await server.close();
    repo.remove();
  }
});
