/**
 * Issue 13, "a green verdict must be earned", through the real CLI and agent server: a scripted
 * worker makes greeter's two tests fail and hides it with `process.exit(0)` at the top of the test
 * file, so node --test exits 0 and reports "1 passed". The verification is compared with the
 * baseline: the two tests that passed before and no longer run are named, the step fails on every
 * attempt, the worker is told why, and its change never lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeProviderEnv, makeRepo, requestsOf, snapshot, spawnCli, startFake } from '../unit/support/scenarioHarness';
import { gitStatus, lastUserText, nodeTestCommand } from '../unit/support/verifyHarness';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

test('a worker that hides failing tests behind process.exit(0) fails verification on every attempt, is told which tests no longer run, and nothing of it lands', { timeout: 180000, skip: noSandbox }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('adversarial-verdict');
  const before = snapshot(repo, ['test/greet.test.js', 'src/greet.js', 'src/farewell.js']);
  try {
    const run = spawnCli(['run', 'Make the greeting tests expect shorter greetings', '--cwd', repo.root, '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand], fakeProviderEnv(server));
    const result = await run.done;
    const printed = `${result.stdout}\n${result.stderr}`;

    // The baseline shows both tests; every attempt of s1 is compared with it and fails, naming them.
    assert.match(result.stdout, /✓ tests baseline: The suite passes before the run\. · 2 passed of 2/);
    for (const attempt of [1, 2, 3]) {
      assert.match(
        result.stdout,
        new RegExp(`✗ tests s1 attempt ${attempt}: 2 tests that passed before the run no longer run: greets, says goodbye\\. [^\\n]* · before 2 passed of 2 → now 1 passed of 1`),
        printed,
      );
    }
    assert.match(result.stdout, /✗ s1 failed: The step still failed verification after 3 attempts: 2 tests that passed before the run no longer run: greets, says goodbye\./);

    // What the worker was told: the tests by name, not a green "1 passed".
    const retries = requestsOf(server, 'worker-s1').slice(1).map(lastUserText);
    assert.equal(retries.length, 2);
    for (const message of retries) {
      assert.match(message, /Verification failed \(attempt \d of 3\): 2 tests that passed before the run no longer run: greets, says goodbye\./);
      // The runner itself was fooled: it exited 0 and reported the file as one passing test.
      assert.match(message, /Command: node --test test\/ \(exit code 0\)/);
      assert.match(message, /ok 1 - \S*test\/greet\.test\.js/);
    }

    // The re-planned s2 passed and landed; nothing of s1 did.
    assert.match(result.stdout, /✓ tests s2 attempt 1: The tests pass \(exit code 0, 2 passed\)\. · before 2 passed of 2 → now 2 passed of 2/);
    assert.equal(result.code, 1, 'the run failed: s1 did not complete');
    for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    assert.equal(gitStatus(repo), ' M README.md\n');
  } finally {
    await server.close();
    repo.remove();
  }
});
