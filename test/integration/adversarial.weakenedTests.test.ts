/**
 * "A green verdict cannot be faked", through the real CLI and agent server: a scripted worker
 * breaks greet and, instead of fixing the test that catches it, makes the test ask less: it compares
 * greet's output with itself, or loses its assertion. node --test still runs both tests by name and
 * they pass, so the by-name comparison with the baseline sees nothing wrong. The harness reads the
 * test change (weakenedTests.ts): the step is unverified, the user is told why, and in auto mode
 * without a terminal nothing lands: neither the test nor the broken greet.js beside it (a step
 * whose green run proves nothing holds all its files). With the detection removed, both tests fail:
 * the step is reported passed and the broken greet lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeProviderEnv, makeRepo, snapshot, spawnCli, startFake } from '../unit/support/scenarioHarness';
import { gitStatus, nodeTestCommand } from '../unit/support/verifyHarness';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

/** One run of `scenario` in auto mode: the verdict and reason, the held files, nothing landed. */
async function weakenedRun(scenario: string, reason: RegExp): Promise<void> {
  const repo = makeRepo('greeter');
  const server = await startFake(scenario);
  const before = snapshot(repo, ['test/greet.test.js', 'src/greet.js']);
  try {
    const run = spawnCli(['run', 'A shorter greeting', '--cwd', repo.root, '--approve', 'auto', '--yes', '--json', '--test-cmd', nodeTestCommand], fakeProviderEnv(server));
    const result = await run.done;

    const verdicts = run.log.of('verification').filter((event) => event.stepId === 's1');
    assert.equal(verdicts.length, 1, result.stdout);
    const evidence = verdicts[0]!.evidence;
    // The runner was fooled: both tests ran by name and passed.
    assert.equal(evidence.exitCode, 0);
    assert.equal(evidence.passed, 2);
    assert.equal(evidence.verdict, 'unverified');
    assert.match(evidence.reason, reason);
    assert.match(evidence.reason, /so this green run proves nothing/);

    const changes = run.log.of('changes').flatMap((event) => event.files);
    assert.match(changes.find((file) => file.path === 'test/greet.test.js')?.protectedReason ?? '', /it can steer its own test results/);
    // The broken code is beside the weakened test, not in it: the step's other file is held too.
    assert.match(changes.find((file) => file.path === 'src/greet.js')?.protectedReason ?? '', /its step's green run proves nothing: test\/greet\.test\.js:7/);
    assert.match(result.stderr, /left unapplied: .*test\/greet\.test\.js \(needs your approval/);
    assert.match(result.stderr, /left unapplied: .*src\/greet\.js \(needs your approval/);

    for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    assert.equal(gitStatus(repo), '');
  } finally {
    await server.close();
    repo.remove();
  }
}

test('a worker that breaks greet and compares greet with itself gets no green verdict, and in auto mode nothing lands', { timeout: 180000, skip: noSandbox }, async () => {
  await weakenedRun('adversarial-tautology', /test\/greet\.test\.js:7 adds an assertion that cannot fail/);
});

test('a worker that breaks greet and deletes the assertion of the test that would fail gets no green verdict, and in auto mode nothing lands', { timeout: 180000, skip: noSandbox }, async () => {
  await weakenedRun('adversarial-dropped-assertion', /test\/greet\.test\.js:7 leaves existing tests with 1 fewer assertion \(2 → 1\) while they still run by name/);
});
