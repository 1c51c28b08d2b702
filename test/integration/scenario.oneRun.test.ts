import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { runStartRequest } from '../../src/protocol/methods';
import { eventually, makeRepo, runCli, scenarioPath, startFake, startRunSession, type ApprovalAnswer } from '../unit/support/scenarioHarness';

test('one run at a time per workspace: a second run is refused, in the same server and from another process', { timeout: 120000 }, async () => {
  const repo = makeRepo();
  const server = await startFake('scenario-parallel-refactor');
  // The first run waits at plan approval until the test answers.
  let answer: (decision: ApprovalAnswer) => void = () => undefined;
  const approval = new Promise<ApprovalAnswer>((resolve) => (answer = resolve));
  const run = await startRunSession(repo, server, { onApprove: () => approval });
  try {
    const first = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: true });
    await eventually(() => run.approvals.length === 1, 'the plan approval request');
    const lock = JSON.parse(readFileSync(join(repo.root, '.plumbline', 'run.lock'), 'utf8')) as { runId: string };
    assert.equal(lock.runId, first.runId);

    // The same server refuses a second run, naming the active one.
    await assert.rejects(run.session.request(runStartRequest, { task: 'Another task', approve: 'never' }), (error: unknown) => {
      assert.ok(error instanceof ResponseError);
      assert.equal(error.code, -32600);
      assert.equal(error.message, `Run ${first.runId} is in progress; cancel it or wait for it to finish.`);
      return true;
    });

    // Another process (the CLI's own server) is refused by the workspace lock, before any model call.
    const requestsBefore = server.requests().length;
    const other = runCli(repo, server, 'Another task', ['--approve', 'never', '--yes']);
    const refused = await other.done;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`Another Plumbline run \\(${first.runId}\\) is in progress in this workspace; cancel it or wait for it to finish\\.`));
    assert.equal(other.log.events.length, 0, 'the refused run emitted nothing');
    assert.equal(server.requests().length, requestsBefore);
    assert.deepEqual(readdirSync(join(repo.root, '.plumbline', 'runs')), [first.runId], 'the refused run left no trace');

    // The first run is unaffected: cancelling its plan ends it, and the workspace is free again.
    answer({ decision: 'cancel' });
    const finished = await run.log.waitFor('run/finished', (event) => event.runId === first.runId);
    assert.equal(finished.status, 'cancelled');
    assert.ok(!existsSync(join(repo.root, '.plumbline', 'run.lock')));
    server.setScenario(scenarioPath('scenario-parallel-refactor'));
    const next = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'never', '--yes']);
    const nextResult = await next.done;
    assert.equal(nextResult.code, 0, nextResult.stderr);
    assert.equal(next.log.finished().status, 'completed');
  } finally {
    answer({ decision: 'cancel' });
    await run.close();
    await server.close();
    repo.remove();
  }
});
