import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { paintFileChange } from '../../src/cli/hunkView';
import { runMetaSchema } from '../../src/protocol/run';
import { firstUserText, inOrder, listRunsCli, makeRepo, requestsOf, runCli, startFake, stepsSection } from '../unit/support/scenarioHarness';

test('a parallel multi-file refactor through the CLI: s1 and s2 at once, s3 after both, applied, tests pass', { timeout: 90000 }, async () => {
  const repo = makeRepo();
  const server = await startFake('scenario-parallel-refactor');
  try {
    const run = runCli(repo, server, 'Rename greet to welcome and farewell to goodbye', ['--approve', 'auto', '--yes']);
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const { log } = run;
    assert.deepEqual(log.strayLines, [], '--json prints nothing but events');

    // The event stream tells the whole story, in order.
    const started = log.of('run/started')[0];
    assert.ok(started !== undefined);
    const runId = started.runId;
    assert.equal(started.planPath, join(repo.root, '.plumbline', 'runs', runId, 'plan.md'));
    const phases = log.of('run/phase').map((event) => event.phase);
    assert.ok(inOrder(phases, ['exploring', 'awaiting_approval', 'executing', 'finished']), phases.join(', '));
    assert.deepEqual(log.planStatuses(), ['draft', 'running', 'completed']);
    // Each plan/updated carries the markdown written to plan.md at that moment: it went through the same states.
    const documentStatuses = log.of('plan/updated').map((event) => /\*\*Status:\*\* (\w+)/.exec(event.markdown)?.[1]);
    assert.deepEqual([...new Set(documentStatuses)], ['draft', 'running', 'completed']);
    assert.ok(log.of('plan/updated').some((event) => /^- \[ \] \*\*s1\*\* · running · /m.test(event.markdown)));
    for (const id of ['s1', 's2', 's3']) {
      assert.deepEqual(log.stepStatuses(id), ['pending', 'running', 'done'], `statuses of ${id}`);
      assert.equal(log.of('step/started').filter((event) => event.stepId === id).length, 1);
      const finished = log.of('step/finished').find((event) => event.stepId === id);
      assert.equal(finished?.status, 'done');
    }
    assert.deepEqual(log.of('step/finished').find((event) => event.stepId === 's3')?.changedFiles, ['test/greet.test.js']);
    const types = log.events.map((event) => event.type);
    const s3Start = log.events.findIndex((event) => event.type === 'step/started' && event.stepId === 's3');
    for (const id of ['s1', 's2']) {
      assert.ok(log.events.findIndex((event) => event.type === 'step/finished' && event.stepId === id) < s3Start, `${id} finished before s3 started`);
    }
    assert.ok(types.indexOf('changes') > types.lastIndexOf('step/finished'));
    const changes = log.of('changes')[0];
    assert.deepEqual(changes?.files.map((file) => file.path).sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
    const greet = changes?.files.find((file) => file.path === 'src/greet.js');
    assert.match(greet === undefined ? '' : paintFileChange({ colors: false }, greet), /^\+function welcome\(name\) \{$/m);
    const finished = log.finished();
    assert.equal(finished.status, 'completed');
    assert.deepEqual([...finished.applied].sort(), ['src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
    assert.equal(types.at(-1), 'run/finished');

    // The workers really ran in parallel: s1's and s2's first requests were in flight together.
    const [s1] = requestsOf(server, 'worker-s1');
    const [s2] = requestsOf(server, 'worker-s2');
    assert.ok(s1?.completedAt != null && s2?.completedAt != null);
    assert.ok(s1.arrivedAt < s2.completedAt && s2.arrivedAt < s1.completedAt, 's1 and s2 overlap in time');
    // s3 waited for both: its first request came after every s1 and s2 request had completed.
    const lastOfDeps = Math.max(...[...requestsOf(server, 'worker-s1'), ...requestsOf(server, 'worker-s2')].map((request) => request.completedAt ?? Infinity));
    const [s3] = requestsOf(server, 'worker-s3');
    assert.ok(s3 !== undefined && s3.arrivedAt >= lastOfDeps, 's3 started after s1 and s2 finished');
    // s3's brief carries its dependencies' summaries and the files as they are after them.
    assert.match(firstUserText(s3), /<step id="s3">/);
    assert.match(firstUserText(s3), /- s1 \(Rename greet to welcome\): Renamed greet to welcome; greet stays as an alias\./);
    assert.match(firstUserText(s3), /<file path="test\/greet\.test\.js">\nconst test = require\('node:test'\);/);
    assert.equal(server.requests().length, 9);
    assert.ok(server.requests().every((request) => request.status === 200 && !request.aborted));

    // The refactor landed and the project's own tests pass on it.
    assert.match(repo.read('src/greet.js').toString(), /function welcome\(name\)/);
    assert.match(repo.read('src/farewell.js').toString(), /module\.exports = \{ goodbye, farewell: goodbye \};/);
    assert.match(repo.read('test/greet.test.js').toString(), /assert\.equal\(goodbye\('Ada'\), 'Goodbye, Ada\.'\);/);
    const tests = spawnSync(process.execPath, ['--test', 'test/'], { cwd: repo.root, encoding: 'utf8' });
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);

    // plan.md: every step checked, the summary of changes written, the status completed.
    const plan = repo.planMarkdown(runId);
    assert.match(plan, /\*\*Status:\*\* completed · 3\/3 steps done/);
    for (const [id, title] of [['s1', 'Rename greet to welcome'], ['s2', 'Rename farewell to goodbye'], ['s3', 'Update the tests']]) {
      assert.match(plan, new RegExp(`^- \\[x\\] \\*\\*${id}\\*\\* · done · ${title}$`, 'm'));
    }
    assert.doesNotMatch(stepsSection(plan), /^- \[ \]/m);
    assert.match(plan, /## Summary of changes\n\nCompleted: 3 of 3 steps done\./);
    assert.match(plan, /Applied to your files: src\/farewell\.js, src\/greet\.js, test\/greet\.test\.js\./);
    const meta = runMetaSchema.parse(JSON.parse(readFileSync(join(repo.runDir(runId), 'run.json'), 'utf8')));
    assert.deepEqual([meta.status, meta.stepsDone, meta.stepsTotal], ['completed', 3, 3]);
    assert.ok(!existsSync(join(repo.root, '.plumbline', 'run.lock')), 'the run lock is released');

    // `plumbline runs` lists it as completed.
    const runs = await listRunsCli(repo);
    assert.deepEqual(runs.map((entry) => [entry.runId, entry.status, entry.stepsDone, entry.stepsTotal]), [[runId, 'completed', 3, 3]]);
  } finally {
    await server.close();
    repo.remove();
  }
});
