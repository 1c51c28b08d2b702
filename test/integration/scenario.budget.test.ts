import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runMetaSchema } from '../../src/protocol/run';
import { runStartRequest } from '../../src/protocol/methods';
import { listRunsCli, makeRepo, runCli, scenarioPath, snapshot, startFake, startRunSession, type TempRepo } from '../unit/support/scenarioHarness';

function trackedFiles(repo: TempRepo): string[] {
  return spawnSync('git', ['ls-files'], { cwd: repo.root, encoding: 'utf8' }).stdout.split('\n').filter((line) => line !== '');
}

function assertUntouched(repo: TempRepo, before: ReadonlyMap<string, Buffer>): void {
  for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
}

describe('budgets', () => {
  test('--max-cost stops the run before the request that would exceed it; nothing is applied; the lock is released', { timeout: 120000 }, async () => {
    const repo = makeRepo();
    const server = await startFake('scenario-budget');
    const before = snapshot(repo, trackedFiles(repo));
    try {
      // Each orchestrator turn costs $0.0045: after three calls ($0.0135) the $0.0095 limit is reached.
      const run = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'auto', '--yes', '--max-cost', '0.0095']);
      const result = await run.done;
      assert.equal(result.code, 1, result.stderr);
      assert.deepEqual(run.log.strayLines, []);
      const finished = run.log.finished();
      assert.equal(finished.status, 'failed');
      // The limit reads as given, not rounded to cents.
      assert.match(finished.reason ?? '', /^Stopped: the run reached its cost limit of \$0\.0095 \(spent \$0\.01\d*\)\.$/);
      assert.deepEqual(finished.applied, []);

      // No request after the limit: three calls, each recorded as usage, the last one crossing it.
      assert.deepEqual(server.requests().map((request) => request.role), ['orchestrator', 'orchestrator', 'orchestrator']);
      const usage = run.log.of('usage').map((event) => event.run.costUsd);
      assert.equal(usage.length, 3);
      assert.ok(usage[1]! < 0.0095 && usage[2]! >= 0.0095, usage.join(', '));
      assert.ok(Math.abs(finished.costUsd - 0.0135) < 1e-9);
      assert.equal(run.log.of('step/started').length, 0);
      assert.equal(run.log.of('changes').length, 0);
      assertUntouched(repo, before);

      // The run is recorded as failed with the reason; the lock is gone.
      const meta = runMetaSchema.parse(JSON.parse(readFileSync(join(repo.runDir(finished.runId), 'run.json'), 'utf8')));
      assert.equal(meta.status, 'failed');
      assert.match(meta.error ?? '', /cost limit of \$0\.0095/);
      assert.ok(!existsSync(join(repo.root, '.plumbline', 'run.lock')));
      assert.deepEqual((await listRunsCli(repo)).map((entry) => [entry.runId, entry.status]), [[finished.runId, 'failed']]);

      // A second run can start right away, and (within budget) completes.
      server.setScenario(scenarioPath('scenario-parallel-refactor'));
      const second = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'auto', '--yes', '--max-cost', '5']);
      const secondResult = await second.done;
      assert.equal(secondResult.code, 0, secondResult.stderr);
      assert.equal(second.log.finished().status, 'completed');
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('maxCalls through the server API: failed with a reason naming the limit; a new run starts right after', { timeout: 120000 }, async () => {
    const repo = makeRepo();
    const server = await startFake('scenario-budget');
    const before = snapshot(repo, trackedFiles(repo));
    const run = await startRunSession(repo, server);
    try {
      const first = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: false, maxCalls: 2 });
      const finished = await run.log.waitFor('run/finished', (event) => event.runId === first.runId);
      assert.equal(finished.status, 'failed');
      assert.equal(finished.reason, 'Stopped: the run reached its limit of 2 model calls.');
      assert.equal(server.requests().length, 2);
      assertUntouched(repo, before);

      // Immediately: the workspace is free again for a run that completes.
      server.setScenario(scenarioPath('scenario-parallel-refactor'));
      const second = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: false });
      assert.notEqual(second.runId, first.runId);
      const secondFinished = await run.log.waitFor('run/finished', (event) => event.runId === second.runId, 60000);
      assert.equal(secondFinished.status, 'completed', secondFinished.reason);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('a call limit holds with workers in parallel: no more requests than the limit', { timeout: 120000 }, async () => {
    const repo = makeRepo();
    const server = await startFake('scenario-budget');
    const run = await startRunSession(repo, server);
    try {
      // Five orchestrator calls (the fifth submits the plan), then s1 and s2 start together with one call left.
      const { runId } = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: false, maxCalls: 6 });
      const finished = await run.log.waitFor('run/finished', (event) => event.runId === runId);
      assert.equal(finished.status, 'failed');
      assert.equal(finished.reason, 'Stopped: the run reached its limit of 6 model calls.');
      await server.whenIdle();
      const roles = server.requests().map((request) => request.role ?? '');
      assert.ok(roles.length <= 6, `at most 6 model requests, got ${roles.length}: ${roles.join(', ')}`);
      assert.deepEqual(finished.applied, []);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });
});
