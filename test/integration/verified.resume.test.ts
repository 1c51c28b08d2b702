import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runResumeRequest } from '../../src/protocol/methods';
import { eventually, firstUserText, listRunsCli, requestsOf, snapshot, startFake, stepsSection } from '../unit/support/scenarioHarness';
import { gitStatus, makeVerifiedRepo, runSuite, startVerifySession, verifications, worktrees, type VerifySession } from '../unit/support/verifyHarness';

const roles = ['orchestrator', 'worker-s1', 'worker-s2', 'worker-s3'] as const;

test('a server killed mid-run resumes from its journal: finished steps are kept, the interrupted one restarts, everything lands', { timeout: 150000 }, async () => {
  const repo = makeVerifiedRepo('calc');
  const start = snapshot(repo, ['src/calc.js', 'src/format.js', 'test/calc.test.js']);
  const server = await startFake('verified-resume');
  const sessions: VerifySession[] = [];
  try {
    const first = await startVerifySession(repo, server);
    sessions.push(first);
    const { runId } = await first.start('Add square, a clearer result format, and a test for square', 'auto');

    // s1 and s2 are verified and staged; s3's worker request is in flight (its answer is 10 minutes away).
    await first.log.waitFor('step/started', (event) => event.stepId === 's3', 60000);
    await eventually(() => requestsOf(server, 'worker-s3').length === 1, "s3's first model request");
    assert.equal(requestsOf(server, 'worker-s3')[0]?.completedAt, null, 'the request is still in flight');
    assert.deepEqual(first.log.of('step/finished').map((event) => [event.stepId, event.status]).sort(), [['s1', 'done'], ['s2', 'done']]);
    const before = new Map(roles.map((role) => [role, requestsOf(server, role).length]));
    const totalsBefore = first.log.of('usage').at(-1)?.run;
    assert.ok(totalsBefore !== undefined && totalsBefore.calls > 0, 'calls were counted before the kill');

    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.session.process.once('exit', (_code, signal) => resolve(signal)));
    assert.ok(first.session.process.kill('SIGKILL'));
    assert.equal(await exited, 'SIGKILL');
    assert.equal(first.log.of('run/finished').length, 0, 'the run did not get to finish');
    // auto mode lands at the end: nothing has been written yet, and the run is on record as running.
    for (const [path, bytes] of start) assert.ok(repo.read(path).equals(bytes), `${path} is untouched after the kill`);
    assert.deepEqual((await listRunsCli(repo)).map((run) => [run.runId, run.status]), [[runId, 'running']]);
    // One copy per verification slot the run used (s1 and s2 were verified in parallel copies).
    assert.ok(worktrees(repo).length >= 2, "the killed server's verification worktrees are left behind");

    // A new server continues the run from its journal.
    const second = await startVerifySession(repo, server);
    sessions.push(second);
    const resumed = await second.session.request(runResumeRequest, { runId });
    assert.equal(resumed.runId, runId);
    const finished = await second.log.waitFor('run/finished', undefined, 90000);
    assert.equal(finished.status, 'completed', finished.reason);

    // The usage totals go on from the stopped run's (journaled per call), not from zero.
    const resumedUsage = second.log.of('usage');
    assert.equal(resumedUsage[0]?.run.calls, totalsBefore.calls + 1, 'the first call after the resume is counted after the earlier ones');
    assert.equal(resumedUsage.at(-1)?.run.calls, totalsBefore.calls + resumedUsage.length);
    assert.ok((resumedUsage.at(-1)?.run.usage.outputTokens ?? 0) > totalsBefore.usage.outputTokens, 'tokens keep adding up');

    // s1, s2 and the orchestrator were not asked again; s3 started over with its brief (turn 1).
    for (const role of ['orchestrator', 'worker-s1', 'worker-s2'] as const) assert.equal(requestsOf(server, role).length, before.get(role), `${role} made no new request`);
    const s3 = requestsOf(server, 'worker-s3');
    assert.equal(s3.length, 2);
    assert.equal(s3[1]?.turn, 1);
    assert.match(firstUserText(s3[1]), /^<step id="s3">/);
    assert.deepEqual(second.log.of('step/started').map((event) => event.stepId), ['s3']);
    assert.deepEqual(verifications(second.log, 's3').map((event) => event.evidence.verdict), ['passed']);
    assert.equal(verifications(second.log, 's1').length + verifications(second.log, 's2').length, 0, 'finished steps were not verified again');

    // plan.md records the interruption and the restart.
    const plan = repo.planMarkdown(runId);
    assert.match(plan, /^- Resumed after the agent server stopped; interrupted steps start again\.$/m);
    const steps = stepsSection(plan);
    assert.match(steps, /- \[x\] \*\*s1\*\* · done · /);
    assert.match(steps, /- \[x\] \*\*s2\*\* · done · /);
    assert.match(steps, /- \[x\] \*\*s3\*\* · done · Test square\n[\s\S]*- Attempt 1: error · [^\n]+\n\s+> interrupted: the agent server stopped\n\s+- Attempt 2: passed · /);

    // Everything landed (s1 and s2 from the journal, s3 from the restart), and the suite passes.
    assert.deepEqual([...finished.applied].sort(), ['src/calc.js', 'src/format.js', 'test/calc.test.js']);
    assert.match(repo.text('src/calc.js'), /function square\(a\) \{\n {2}return a \* a;\n\}\n\nmodule\.exports = \{ add, subtract, multiply, divide, negate, square \};\n$/);
    assert.match(repo.text('src/format.js'), /return `result: \$\{value\}`;/);
    assert.match(repo.text('test/calc.test.js'), /test\('squares a number'/);
    const suite = runSuite(repo);
    assert.equal(suite.status, 0, suite.output);
    assert.match(suite.output, /squares a number/);

    // `plumbline runs` shows it completed; the killed server's verification copy is gone.
    assert.deepEqual((await listRunsCli(repo)).map((run) => [run.runId, run.status, run.stepsDone, run.stepsTotal]), [[runId, 'completed', 3, 3]]);
    assert.equal(worktrees(repo).length, 1, `only the main worktree is left: ${worktrees(repo).join(', ')}`);
    assert.deepEqual(gitStatus(repo).split('\n').filter((line) => line !== '').sort(), [' M src/calc.js', ' M src/format.js', ' M test/calc.test.js']);
  } finally {
    for (const session of sessions) await session.close();
    await server.close();
    repo.remove();
  }
});
