/**
 * "A green verdict cannot be faked", through the real CLI and agent server: a scripted worker
 * breaks greet and, in the same file, replaces the assertion its tests use with one that checks
 * nothing. node --test then runs both tests by name and they pass, so the by-name comparison with
 * the baseline cannot see it. The harness reads the change itself: code that replaces an assertion
 * can steer its own results, so the step is unverified (not "passed"), the user is told why, and in
 * auto mode without a terminal the file is left unapplied. Run with the detection removed
 * (verdictSteering.ts), this test fails: the step is reported passed and the broken greet lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFooledGreeter } from '../unit/support/fooledRunner';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

test('a worker that replaces the assertion its tests use gets no green verdict, and in auto mode its file does not land', { timeout: 180000, skip: noSandbox }, async () => {
  const { evidence, files, stderr } = await runFooledGreeter('adversarial-steered-verdict', ['test/greet.test.js', 'src/greet.js', 'src/farewell.js']);
  assert.match(evidence.reason, /can steer its own test results \(src\/greet\.js:1 replaces an assertion function\), so this green run proves nothing/);
  // The review names the file as needing an explicit decision; nobody is there to give it.
  assert.match(files.find((file) => file.path === 'src/greet.js')?.protectedReason ?? '', /it can steer its own test results: line 1 replaces an assertion function/);
  assert.match(stderr, /left unapplied: src\/greet\.js \(needs your approval: it can steer its own test results/);
});
