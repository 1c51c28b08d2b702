import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requestsOf, runCli, snapshot, startFake, stepsSection } from '../unit/support/scenarioHarness';
import { makeVerifiedRepo, nodeTestCommand, lastUserText, runSuite, startVerifySession, verifications } from '../unit/support/verifyHarness';

const variadicAdd = "function add(...values) {\n  return values.reduce((total, value) => total + value, 0);\n}";

describe('verification fix loop (real fixture suites)', () => {
  test('a step whose first edit breaks a test gets the failure back, fixes it, passes and lands (CLI)', { timeout: 120000 }, async () => {
    const repo = makeVerifiedRepo('calc');
    const original = repo.text('src/calc.js');
    const server = await startFake('verified-retry');
    try {
      const run = runCli(repo, server, 'Let add take any number of arguments', ['--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand]);
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(run.log.strayLines, []);
      const finished = run.log.finished();
      assert.equal(finished.status, 'completed', finished.reason);

      // The baseline passed; s1's attempt 1 failed on the broken test, attempt 2 passed.
      const [baseline] = verifications(run.log, undefined);
      assert.equal(baseline?.evidence.verdict, 'passed');
      assert.equal(baseline?.evidence.command, nodeTestCommand);
      const attempts = verifications(run.log, 's1');
      assert.deepEqual(attempts.map((event) => [event.attempt, event.evidence.verdict]), [[1, 'failed'], [2, 'passed']]);
      assert.deepEqual(attempts[0]?.evidence.newFailures, ['adds two numbers']);
      assert.equal(attempts[0]?.evidence.exitCode, 1);
      assert.equal(attempts[1]?.evidence.exitCode, 0);

      // The worker's second request is the retry, carrying the failing test's output.
      const [first, second, ...more] = requestsOf(server, 'worker-s1');
      assert.ok(first !== undefined && second !== undefined);
      assert.equal(more.length, 0, 'two attempts, one request each');
      const retry = lastUserText(second);
      assert.match(retry, /^Verification failed \(attempt 1 of 3\): New failures: adds two numbers\./);
      assert.match(retry, /Command: node --test test\/ \(exit code 1\)/);
      assert.match(retry, /<test-output>[\s\S]*adds two numbers[\s\S]*<\/test-output>/);
      assert.match(retry, /Expected values to be strictly equal/);
      assert.match(retry, /-5 !== 5/, 'the assertion with its actual and expected values');

      // plan.md: attempt 1 failed (with the reason), attempt 2 passed, the step is done.
      const steps = stepsSection(repo.planMarkdown(finished.runId));
      assert.match(steps, /- \[x\] \*\*s1\*\* · done · Variadic add/);
      assert.match(steps, /- Attempt 1: failed · [^\n]+\n\s+> New failures: adds two numbers\./);
      assert.match(steps, /- Attempt 2: passed · /);

      // What landed is the fixed version, and the repo's own suite passes.
      assert.deepEqual(finished.applied, ['src/calc.js']);
      assert.equal(repo.text('src/calc.js'), original.replace("function add(a, b) {\n  return a + b;\n}", variadicAdd));
      const suite = runSuite(repo);
      assert.equal(suite.status, 0, suite.output);
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('a step that cannot pass stops at maxAttempts, says why in plan.md, and none of it lands', { timeout: 120000 }, async () => {
    const repo = makeVerifiedRepo('calc');
    const before = snapshot(repo, ['src/calc.js', 'src/format.js', 'test/calc.test.js']);
    const server = await startFake('verified-cap');
    const run = await startVerifySession(repo, server, { verification: { maxAttempts: 2, timeoutSeconds: 30 } });
    try {
      const { runId } = await run.start('Variadic add, then a clearer result format', 'end');
      const finished = await run.log.waitFor('run/finished', undefined, 90000);
      assert.equal(finished.status, 'failed');
      // The run's reason names the step, its failing test, where, and why.
      assert.match(finished.reason ?? '', /^Step s1 \(Variadic add\) failed: The step still failed verification after 2 attempts: New failures: adds two numbers\. (?:\(Runs: [^)]*\) )?adds two numbers \(test\/calc\.test\.js:6\): Expected values to be strictly equal: -5 !== 5\.$/);

      // Exactly two attempts, both failed; the worker was asked to fix it once.
      assert.deepEqual(verifications(run.log, 's1').map((event) => [event.attempt, event.evidence.verdict]), [[1, 'failed'], [2, 'failed']]);
      const s1Requests = requestsOf(server, 'worker-s1');
      assert.equal(s1Requests.length, 2);
      assert.match(lastUserText(s1Requests[1]!), /^Verification failed \(attempt 1 of 2\)/);
      const s1Finished = run.log.of('step/finished').find((event) => event.stepId === 's1');
      assert.equal(s1Finished?.status, 'failed');
      assert.match(s1Finished?.error ?? '', /^The step still failed verification after 2 attempts: New failures: adds two numbers\. (?:\(Runs: [^)]*\) )?adds two numbers \(test\/calc\.test\.js:6\): Expected values to be strictly equal: -5 !== 5$/);
      assert.deepEqual(s1Finished?.changedFiles, []);

      // plan.md: the step failed, with both attempts and the error naming the cap.
      const steps = stepsSection(repo.planMarkdown(runId));
      assert.match(steps, /- \[ \] \*\*s1\*\* · failed · Variadic add/);
      assert.match(steps, /- Attempt 1: failed · /);
      assert.match(steps, /- Attempt 2: failed · /);
      assert.doesNotMatch(steps, /- Attempt 3:/);
      assert.match(steps, /- Error: The step still failed verification after 2 attempts: New failures: adds two numbers\./);
      assert.match(steps, /- \[x\] \*\*s2\*\* · done · Clearer result format/);

      // The review offered only s2's file; s1's edit never reached the disk.
      assert.deepEqual(run.reviews.map((review) => review.files.map((file) => file.path)), [['src/format.js']]);
      for (const [path, bytes] of before) {
        if (path !== 'src/format.js') assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
      }
      assert.equal(repo.text('src/format.js'), before.get('src/format.js')?.toString().replace('return `= ${value}`;', 'return `result: ${value}`;'));
      assert.deepEqual(finished.applied, ['src/format.js']);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('a test that failed before the run does not block a step and is reported', { timeout: 120000 }, async () => {
    const repo = makeVerifiedRepo('calc-legacy');
    const server = await startFake('verified-preexisting');
    const run = await startVerifySession(repo, server, { verification: { maxAttempts: 2, timeoutSeconds: 30 } });
    try {
      assert.notEqual(runSuite(repo).status, 0, 'the fixture suite fails before the run');
      const { runId } = await run.start('Add a mean helper', 'auto');
      const finished = await run.log.waitFor('run/finished', undefined, 90000);
      assert.equal(finished.status, 'completed', finished.reason);

      // The baseline lists the failing test as pre-existing.
      const [baseline] = verifications(run.log, undefined);
      assert.equal(baseline?.evidence.verdict, 'failed');
      assert.equal(baseline?.evidence.reason, 'Some tests fail before the run; they will not block steps.');
      assert.deepEqual(baseline?.evidence.preexistingFailures, ['totals tenths exactly']);

      // s1 passed at its first attempt although the suite still exits 1, and the worker was never asked to fix it.
      const [attempt, ...others] = verifications(run.log, 's1');
      assert.equal(others.length, 0);
      assert.equal(attempt?.evidence.verdict, 'passed');
      assert.equal(attempt?.evidence.exitCode, 1);
      assert.deepEqual(attempt?.evidence.newFailures, []);
      assert.deepEqual(attempt?.evidence.preexistingFailures, ['totals tenths exactly']);
      assert.equal(attempt?.evidence.reason, 'Only tests that failed before the run fail: totals tenths exactly.');
      assert.equal(requestsOf(server, 'worker-s1').length, 1);

      // plan.md notes the pre-existing failure; the step is done; the change landed.
      const plan = repo.planMarkdown(runId);
      assert.match(plan, /^- Before the run: Some tests fail before the run; they will not block steps\. \(totals tenths exactly\)$/m);
      assert.match(stepsSection(plan), /- \[x\] \*\*s1\*\* · done · Add mean\n[\s\S]*- Attempt 1: passed · /);
      assert.match(repo.text('src/calc.js'), /function mean\(values\) \{/);
      assert.deepEqual(finished.applied, ['src/calc.js']);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });
});
