import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { paintFileChange } from '../../src/cli/hunkView';
import { runStartRequest } from '../../src/protocol/methods';
import { firstUserText, makeRepo, requestsOf, runCli, scenarioPath, snapshot, spawnCli, fakeProviderEnv, startFake, startRunSession, stepsSection } from '../unit/support/scenarioHarness';

const files = ['src/greet.js', 'src/farewell.js', 'test/greet.test.js'];

describe('plan approval and dry runs', () => {
  test('--approve never: the diffs are emitted (and printed without --json), nothing is written', { timeout: 120000 }, async () => {
    const repo = makeRepo();
    const before = snapshot(repo, files);
    const server = await startFake('scenario-parallel-refactor');
    try {
      const run = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'never', '--yes']);
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(run.log.strayLines, []);
      const finished = run.log.finished();
      assert.equal(finished.status, 'completed');
      assert.deepEqual(finished.applied, []);
      assert.match(finished.summary, /Dry run: nothing was written to your files \(3 file\(s\) would change\)\./);
      const [changes] = run.log.of('changes');
      assert.deepEqual(changes?.files.map((file) => [file.path, file.kind, file.stepIds]).sort(), [
        ['src/farewell.js', 'modify', ['s2']],
        ['src/greet.js', 'modify', ['s1']],
        ['test/greet.test.js', 'modify', ['s3']],
      ]);
      const greet = changes?.files.find((file) => file.path === 'src/greet.js');
      assert.ok(greet !== undefined && !('beforeText' in greet) && !('afterText' in greet), 'the event carries hunks, not the full texts');
      assert.match(paintFileChange({ colors: false }, greet), /^-function greet\(name\) \{\n\+function welcome\(name\) \{$/m);
      assert.equal(run.log.of('review/decided').length, 0, 'a dry run decides nothing');
      for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
      assert.match(repo.planMarkdown(finished.runId), /\*\*Status:\*\* completed · 3\/3 steps done[\s\S]*Dry run: nothing was written/);

      // The same run for a person: the diffs are printed.
      server.setScenario(scenarioPath('scenario-parallel-refactor'));
      const human = await spawnCli(['run', 'Rename greet and farewell', '--cwd', repo.root, '--approve', 'never', '--yes'], fakeProviderEnv(server)).done;
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^--- a\/src\/greet\.js\n\+\+\+ b\/src\/greet\.js$/m);
      assert.match(human.stdout, /^-function greet\(name\) \{\n\+function welcome\(name\) \{$/m);
      assert.match(human.stdout, /Dry run: nothing was written to your files/);
      for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('reviewPlan: answering plumbline/plan/approve with cancel ends the run before any worker', { timeout: 90000 }, async () => {
    const repo = makeRepo();
    const before = snapshot(repo, files);
    const server = await startFake('scenario-parallel-refactor');
    const run = await startRunSession(repo, server, { onApprove: () => Promise.resolve({ decision: 'cancel' }) });
    try {
      const { runId, planPath } = await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: true });
      const finished = await run.log.waitFor('run/finished');
      assert.equal(finished.status, 'cancelled');
      assert.equal(finished.reason, 'The plan was not approved.');

      // The client was asked with the draft plan, as rendered in plan.md.
      assert.equal(run.approvals.length, 1);
      const [approval] = run.approvals;
      assert.deepEqual([approval?.runId, approval?.planPath, approval?.plan.status], [runId, planPath, 'draft']);
      assert.deepEqual(approval?.plan.steps.map((step) => [step.id, step.status]), [['s1', 'pending'], ['s2', 'pending'], ['s3', 'pending']]);
      assert.match(approval?.markdown ?? '', /\*\*Status:\*\* draft \(waiting for approval: edit the steps below if needed\) · 0\/3 steps done/);

      // No worker ever ran; nothing changed; the plan ends cancelled.
      assert.ok(server.requests().every((request) => request.role === 'orchestrator'));
      assert.equal(run.log.of('step/started').length, 0);
      for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
      assert.deepEqual(run.log.planStatuses(), ['draft', 'cancelled']);
      const plan = readFileSync(planPath, 'utf8');
      assert.match(plan, /\*\*Status:\*\* cancelled · 0\/3 steps done/);
      assert.equal(stepsSection(plan).match(/^- \[ \] \*\*s\d\*\* · cancelled · /gm)?.length, 3);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('reviewPlan: an edit of plan.md made before approving is what runs', { timeout: 120000 }, async () => {
    const repo = makeRepo();
    const server = await startFake('scenario-parallel-refactor');
    const run = await startRunSession(repo, server, {
      onApprove: (params) => {
        // The user edits s3's instructions in plan.md, saves, then approves.
        const edited = readFileSync(params.planPath, 'utf8').replace('    > Use welcome and goodbye in test/greet.test.js.', '    > Use welcome and goodbye; the user asked for this before approving.');
        writeFileSync(`${params.planPath}.edit`, edited);
        renameSync(`${params.planPath}.edit`, params.planPath);
        return Promise.resolve({ decision: 'approve' });
      },
    });
    try {
      await run.session.request(runStartRequest, { task: 'Rename greet and farewell', approve: 'auto', reviewPlan: true });
      const finished = await run.log.waitFor('run/finished', undefined, 60000);
      assert.equal(finished.status, 'completed', finished.reason);
      assert.deepEqual(run.log.of('plan/edited').map((event) => event.changes), [['reworded s3']]);
      assert.match(firstUserText(requestsOf(server, 'worker-s3')[0]!), /Use welcome and goodbye; the user asked for this before approving\./);
      assert.deepEqual(run.log.planStatuses(), ['draft', 'running', 'completed']);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });
});
