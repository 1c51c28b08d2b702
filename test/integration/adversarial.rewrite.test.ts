/**
 * "A green verdict cannot be faked", through the real CLI and agent server: a scripted worker breaks
 * greet and adds, at the top of the test file its step owns, a line that rewrites src/greet.js back
 * to the working version before the tests load it. Every test runs by name and passes, on code
 * that would never land (landing takes the staged bytes, not the copy's). The harness compares
 * the change's files after each run with what it wrote: the step fails on every attempt, the worker
 * is told why, and nothing of it lands. Without the check (isolationJournal.rewritten) the step
 * passes and the broken greet lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeProviderEnv, makeRepo, requestsOf, snapshot, spawnCli, startFake } from '../unit/support/scenarioHarness';
import { gitStatus, lastUserText, nodeTestCommand } from '../unit/support/verifyHarness';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

test('a test that rewrites the step\'s own source before loading it fails verification on every attempt, and nothing of it lands', { timeout: 180000, skip: noSandbox }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('adversarial-rewrite');
  const before = snapshot(repo, ['test/greet.test.js', 'src/greet.js', 'src/farewell.js']);
  try {
    const run = spawnCli(['run', 'A shorter greeting', '--cwd', repo.root, '--json', '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand], fakeProviderEnv(server));
    const result = await run.done;
    const verdicts = run.log.of('verification').filter((event) => event.stepId === 's1').map((event) => event.evidence);
    assert.equal(verdicts.length, 3, result.stdout);
    for (const evidence of verdicts) {
      // The runner was fooled: exit 0, both tests passed by name.
      assert.equal(evidence.exitCode, 0);
      assert.equal(evidence.verdict, 'failed');
      assert.match(evidence.reason, /^The test run rewrote files of the change under test \(src\/greet\.js\): what it tested is not what would land/);
    }
    const retries = requestsOf(server, 'worker-s1').slice(1).map(lastUserText);
    assert.equal(retries.length, 2);
    for (const message of retries) assert.match(message, /Verification failed \(attempt \d of 3\): The test run rewrote files of the change under test \(src\/greet\.js\)/);

    // The re-planned s2 landed; nothing of s1 did.
    assert.deepEqual(run.log.finished().applied, ['README.md']);
    for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    assert.equal(gitStatus(repo), ' M README.md\n');
  } finally {
    await server.close();
    repo.remove();
  }
});
