import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FakeModelServer } from '../fake-model/index';
import { runMetaSchema } from '../../src/protocol/run';
import { runCancelRequest, runStartRequest } from '../../src/protocol/methods';
import { eventually, makeRepo, requestsOf, runCli, snapshot, startFake, startRunSession, stepsSection, type EventLog, type TempRepo } from '../unit/support/scenarioHarness';

const files = ['src/greet.js', 'src/farewell.js', 'test/greet.test.js', 'README.md'];
/** Generous for a loaded machine; a cancel normally lands in well under a second. */
const cancelWithinMs = 3000;

/** Both workers' requests have reached the fake server and are stalled mid-stream. */
async function workersStalled(server: FakeModelServer): Promise<void> {
  await eventually(
    () => ['worker-s1', 'worker-s2'].every((role) => requestsOf(server, role).some((request) => request.firstByteAt !== null && request.completedAt === null)),
    'both workers to stall',
  );
}

async function assertCancelledCleanly(repo: TempRepo, server: FakeModelServer, log: EventLog, before: ReadonlyMap<string, Buffer>): Promise<void> {
  const finished = log.finished();
  assert.equal(finished.status, 'cancelled');
  assert.equal(finished.reason, 'The run was cancelled.');
  assert.deepEqual(finished.applied, []);

  // The stalled model requests were aborted by the client, not left hanging.
  await server.whenIdle();
  for (const role of ['worker-s1', 'worker-s2']) {
    const [request] = requestsOf(server, role);
    assert.equal(request?.aborted, true, `${role}'s request was aborted`);
  }
  assert.equal(requestsOf(server, 'worker-s3').length, 0);

  // Nothing landed; the plan and the run record say cancelled; the lock is gone.
  for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
  assert.equal(log.of('changes').length, 0);
  assert.deepEqual(log.planStatuses(), ['draft', 'running', 'cancelled']);
  assert.deepEqual(log.stepStatuses('s1'), ['pending', 'running', 'cancelled']);
  assert.deepEqual(log.stepStatuses('s3'), ['pending', 'cancelled']);
  const plan = repo.planMarkdown(finished.runId);
  assert.match(plan, /\*\*Status:\*\* cancelled · 0\/3 steps done/);
  assert.match(stepsSection(plan), /^- \[ \] \*\*s1\*\* · cancelled · Rename greet to welcome$/m);
  assert.match(stepsSection(plan), /^- \[ \] \*\*s3\*\* · cancelled · Update the tests$/m);
  assert.match(plan, /## Summary of changes\n\nCancelled: 0 of 3 steps done\. The run was cancelled\./);
  const meta = runMetaSchema.parse(JSON.parse(readFileSync(join(repo.runDir(finished.runId), 'run.json'), 'utf8')));
  assert.equal(meta.status, 'cancelled');
  assert.ok(!existsSync(join(repo.root, '.plumbline', 'run.lock')));
}

describe('cancelling a run while workers are stalled', () => {
  test('plumbline/run/cancel: run/finished cancelled at once, the requests aborted, nothing applied', { timeout: 90000 }, async (t) => {
    const repo = makeRepo();
    const before = snapshot(repo, files);
    const server = await startFake('scenario-cancel');
    const run = await startRunSession(repo, server);
    try {
      const { runId } = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: false });
      await run.log.waitFor('step/started', (event) => event.stepId === 's2');
      await workersStalled(server);

      const cancelledAt = Date.now();
      const cancel = run.session.request(runCancelRequest, { runId });
      const finished = await run.log.waitFor('run/finished');
      const elapsed = Date.now() - cancelledAt;
      assert.deepEqual(await cancel, { cancelled: true });
      t.diagnostic(`run/finished ${elapsed} ms after plumbline/run/cancel`);
      assert.ok(elapsed < cancelWithinMs, `run/finished came ${elapsed} ms after the cancel`);
      assert.equal(finished.runId, runId);
      await assertCancelledCleanly(repo, server, run.log, before);
      // Cancelling again finds nothing to cancel.
      assert.deepEqual(await run.session.request(runCancelRequest, {}), { cancelled: false });
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('Ctrl+C on the CLI: exit 3, run/finished cancelled, the requests aborted, nothing applied', { timeout: 90000 }, async (t) => {
    const repo = makeRepo();
    const before = snapshot(repo, files);
    const server = await startFake('scenario-cancel');
    try {
      const run = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'auto', '--yes']);
      await run.log.waitFor('step/started', (event) => event.stepId === 's2');
      await workersStalled(server);

      const interruptedAt = Date.now();
      run.child.kill('SIGINT');
      await run.log.waitFor('run/finished');
      const elapsed = Date.now() - interruptedAt;
      const result = await run.done;
      assert.equal(result.code, 3, result.stderr);
      t.diagnostic(`run/finished ${elapsed} ms after SIGINT`);
      assert.ok(elapsed < cancelWithinMs, `run/finished came ${elapsed} ms after Ctrl+C`);
      assert.deepEqual(run.log.strayLines, [], '--json prints nothing but events');
      await assertCancelledCleanly(repo, server, run.log, before);
    } finally {
      await server.close();
      repo.remove();
    }
  });
});
