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
import { runFooledGreeter } from '../unit/support/fooledRunner';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

/** The step's two files are both held: the weakened test, and the broken code beside it. */
async function weakenedRun(scenario: string, reason: RegExp): Promise<void> {
  const { evidence, files, stderr } = await runFooledGreeter(scenario, ['test/greet.test.js', 'src/greet.js']);
  assert.match(evidence.reason, reason);
  assert.match(files.find((file) => file.path === 'test/greet.test.js')?.protectedReason ?? '', /it can steer its own test results/);
  assert.match(files.find((file) => file.path === 'src/greet.js')?.protectedReason ?? '', /its step's green run proves nothing: test\/greet\.test\.js:7/);
  assert.match(stderr, /left unapplied: .*test\/greet\.test\.js \(needs your approval/);
  assert.match(stderr, /left unapplied: .*src\/greet\.js \(needs your approval/);
}

test('a worker that breaks greet and compares greet with itself gets no green verdict, and in auto mode nothing lands', { timeout: 180000, skip: noSandbox }, async () => {
  await weakenedRun('adversarial-tautology', /test\/greet\.test\.js:7 adds an assertion that cannot fail/);
});

test('a worker that breaks greet and deletes the assertion of the test that would fail gets no green verdict, and in auto mode nothing lands', { timeout: 180000, skip: noSandbox }, async () => {
  await weakenedRun('adversarial-dropped-assertion', /test\/greet\.test\.js:7 leaves existing tests with 1 fewer assertion \(2 → 1\) while they still run by name/);
});
