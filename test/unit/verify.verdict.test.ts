/**
 * A green verdict must be earned: every verification is compared with the baseline, test by test.
 * These drive the real StepVerifier on small git repositories whose suites run under node --test
 * (TAP on node 20, the spec reporter on later nodes: both name every test).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { StepVerifier, type StepDeclarations } from '../../src/agent/verify/stepVerifier';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const GREET_TESTS = `const test = require('node:test');
const assert = require('node:assert/strict');

test('greets', () => {
  assert.equal('Hello, Ada!', 'Hello, Ada!');
});

test('says goodbye', () => {
  assert.equal('Goodbye, Ada.', 'Goodbye, Ada.');
});
`;

const MATH_TESTS = `const test = require('node:test');
const assert = require('node:assert/strict');

test('adds', () => assert.equal(1 + 1, 2));
`;

interface Repo {
  readonly root: string;
  remove(): void;
}

function makeRepo(files: Readonly<Record<string, string>>): Repo {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-verdict-'));
  const root = join(base, 'repo');
  mkdirSync(root);
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

const modify = (path: string, before: string, after: string): StagedChange => ({ path, kind: 'modify', before: encode(before), after: encode(after) });

/** The baseline, then one verification of `changes`, on a fresh verifier. */
async function verdictOf(files: Readonly<Record<string, string>>, changes: readonly StagedChange[], options: { command?: string; testFiles?: readonly string[]; step?: StepDeclarations; narrowWhenSuiteTakesMs?: number } = {}) {
  const repo = makeRepo(files);
  // These suites are quick: narrowing is asked for (as it would be for a slow one) unless a test says otherwise.
  const verifier = await StepVerifier.create({ root: repo.root, ...(options.command !== undefined ? { command: options.command } : {}), timeoutMs: 60_000, signal: new AbortController().signal, narrowWhenSuiteTakesMs: options.narrowWhenSuiteTakesMs ?? 0 });
  try {
    const baseline = await verifier.runBaseline();
    const evidence = await verifier.verify(changes, { ...options.step, ...(options.testFiles !== undefined ? { verifyLine: options.testFiles.join(' ') } : {}) });
    return { baseline, evidence };
  } finally {
    await verifier.dispose();
    repo.remove();
  }
}

const suite = { 'test/greet.test.js': GREET_TESTS, 'test/math.test.js': MATH_TESTS };
const command = 'node --test test/';

test('a test file that calls process.exit(0) before its failing tests report fails the step, naming the tests that no longer run', { timeout: 120_000 }, async () => {
  const hostile = `process.exit(0);\n${GREET_TESTS.replace("'Hello, Ada!', 'Hello, Ada!'", "'Hello, Ada!', 'wrong'").replace("'Goodbye, Ada.', 'Goodbye, Ada.'", "1, 2")}`;
  const { baseline, evidence } = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, hostile)], { command });
  assert.equal(baseline.verdict, 'passed', baseline.reason);
  assert.equal(evidence.exitCode, 0, 'the runner itself was fooled: it exited 0');
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.deepEqual(evidence.missingTests, ['greets', 'says goodbye']);
  assert.match(evidence.reason, /^2 tests that passed before the run no longer run: greets, says goodbye\./);
  assert.deepEqual(evidence.baseline, { passed: 3, failed: 0, skipped: 0, total: 3 });
  assert.equal(evidence.passed, 2, 'after: the math test and the file node ran as one test');
});

test('a removed test fails the step', { timeout: 120_000 }, async () => {
  const removed = GREET_TESTS.slice(0, GREET_TESTS.indexOf("test('says goodbye'"));
  const { evidence } = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, removed)], { command });
  assert.equal(evidence.exitCode, 0);
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.deepEqual(evidence.missingTests, ['says goodbye']);
  assert.match(evidence.reason, /1 test that passed before the run no longer runs: says goodbye\./);
});

test('a test skipped now fails the step like a removed one', { timeout: 120_000 }, async () => {
  const skipped = GREET_TESTS.replace("test('greets',", "test.skip('greets',");
  const { evidence } = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, skipped)], { command });
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.deepEqual(evidence.missingTests, ['greets']);
});

test('a removed test the step declares passes, and the evidence says which went', { timeout: 120_000 }, async () => {
  const removed = GREET_TESTS.slice(0, GREET_TESTS.indexOf("test('says goodbye'"));
  const { evidence } = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, removed)], { command, step: { removesTests: ['says goodbye'] } });
  assert.equal(evidence.verdict, 'passed', evidence.reason);
  assert.deepEqual(evidence.removedTests, ['says goodbye']);
  assert.deepEqual(evidence.missingTests, []);
  assert.match(evidence.reason, /Gone as the step declares \(removed or renamed\): says goodbye\./);
});

test('a renamed test the step declares passes; an undeclared rename does not', { timeout: 120_000 }, async () => {
  const renamed = GREET_TESTS.replace("test('greets'", "test('greets warmly'");
  const declared = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, renamed)], { command, step: { removesTests: ['greets'] } });
  assert.equal(declared.evidence.verdict, 'passed', declared.evidence.reason);
  assert.deepEqual(declared.evidence.removedTests, ['greets']);
  const undeclared = await verdictOf(suite, [modify('test/greet.test.js', GREET_TESTS, renamed)], { command });
  assert.equal(undeclared.evidence.verdict, 'failed', undeclared.evidence.reason);
  assert.deepEqual(undeclared.evidence.missingTests, ['greets']);
});

test('a command whose output shows no test is unverified, never passed, even with exit code 0', { timeout: 120_000 }, async () => {
  const files = { 'check.js': "console.log('all good');\n", 'src/a.js': 'module.exports = 1;\n' };
  const { baseline, evidence } = await verdictOf(files, [modify('src/a.js', 'module.exports = 1;\n', 'module.exports = 2;\n')], { command: 'node check.js' });
  assert.equal(baseline.verdict, 'unverified', baseline.reason);
  assert.equal(evidence.exitCode, 0);
  assert.equal(evidence.verdict, 'unverified', evidence.reason);
  assert.match(evidence.reason, /output shows no test that ran/);
});

test('a run that stops printing tests it showed before fails: the runner stopped early', { timeout: 120_000 }, async () => {
  // A "runner" whose report vanishes when the step sets quiet: exit 0, no output.
  const runner = "if (require('fs').readFileSync('mode.txt', 'utf8').trim() === 'quiet') process.exit(0);\nconsole.log('TAP version 13\\nok 1 - one\\nok 2 - two\\n1..2');\n";
  const { evidence } = await verdictOf({ 'run.js': runner, 'mode.txt': 'loud\n' }, [modify('mode.txt', 'loud\n', 'quiet\n')], { command: 'node run.js' });
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.deepEqual(evidence.missingTests, ['one', 'two']);
});

test('counts that drop without names to explain them are not a pass', { timeout: 120_000 }, async () => {
  // jest's summary without --verbose: counts, no test names.
  const runner = "const n = Number(require('fs').readFileSync('count.txt', 'utf8'));\nconsole.log(`Tests:       ${n} passed, ${n} total`);\n";
  const { evidence } = await verdictOf({ 'run.js': runner, 'count.txt': '3\n' }, [modify('count.txt', '3\n', '1\n')], { command: 'node run.js' });
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.match(evidence.reason, /^Only 1 test passes where 3 passed before the run/);
  const declared = await verdictOf({ 'run.js': runner, 'count.txt': '3\n' }, [modify('count.txt', '3\n', '2\n')], { command: 'node run.js', step: { removesTests: ['old test'] } });
  assert.equal(declared.evidence.verdict, 'passed', 'one declared removal accounts for one test fewer');
});

test('a harness-chosen command names every test, and a narrowed pass is followed by the full suite', { timeout: 120_000 }, async () => {
  // No package.json: detection finds test/*.test.js and runs node --test itself.
  const removed = MATH_TESTS.replace("test('adds', () => assert.equal(1 + 1, 2));\n", "test('adds', () => assert.equal(1 + 1, 2));\ntest('subtracts', () => assert.equal(2 - 1, 1));\n");
  const files = { 'test/greet.test.js': GREET_TESTS, 'test/math.test.js': removed };
  const withoutGoodbye = GREET_TESTS.slice(0, GREET_TESTS.indexOf("test('says goodbye'"));
  const { baseline, evidence } = await verdictOf(files, [modify('test/greet.test.js', GREET_TESTS, withoutGoodbye)], { testFiles: ['test/math.test.js'] });
  assert.equal(baseline.command, 'node --test-reporter=tap --test');
  assert.equal(evidence.command, 'node --test-reporter=tap --test', 'the verdict comes from the full suite, not the narrowed run');
  assert.equal(evidence.verdict, 'failed', evidence.reason);
  assert.deepEqual(evidence.missingTests, ['says goodbye']);
});

test('a narrowed run that fails decides the step without the full suite', { timeout: 120_000 }, async () => {
  const broken = MATH_TESTS.replace('1 + 1, 2', '1 + 1, 3');
  const { evidence } = await verdictOf(suite, [modify('test/math.test.js', MATH_TESTS, broken)], { testFiles: ['test/math.test.js'] });
  assert.equal(evidence.command, 'node --test test/math.test.js');
  assert.equal(evidence.verdict, 'failed');
  assert.deepEqual(evidence.newFailures, ['adds']);
});

test('a quick suite is run whole at once: no narrowed run first, the full suite decides', { timeout: 120_000 }, async () => {
  const broken = MATH_TESTS.replace('1 + 1, 2', '1 + 1, 3');
  const { evidence } = await verdictOf(suite, [modify('test/math.test.js', MATH_TESTS, broken)], { testFiles: ['test/math.test.js'], narrowWhenSuiteTakesMs: 60_000 });
  assert.equal(evidence.command, 'node --test-reporter=tap --test', 'the whole suite ran, not test/math.test.js alone');
  assert.equal(evidence.verdict, 'failed');
  assert.deepEqual(evidence.newFailures, ['adds']);
});
