/**
 * Verification scheduled like the plan, on the real StepVerifier and real test runs (node --test in
 * sandboxed copies): steps verified at the same moment run their related tests in parallel copies,
 * then share one full-suite run (a wave); a failed wave is attributed to the step that broke it, and
 * a failure no step causes alone is reported as an interaction.
 *
 * The fixture: two modules, a test of each (imported, so each is the other's unrelated test), and
 * checks that read the sources as text (so no import graph relates them to a step: only the full
 * suite runs them). Each test file waits a little, so runs last long enough to see them overlap.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { StepVerifier } from '../../src/agent/verify/stepVerifier';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';
import { describeGrounds, type TestEvidence, type TestRun } from '../../src/protocol/testEvidence';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const pause = 'await new Promise((resolve) => setTimeout(resolve, 500));';

const A = 'module.exports = () => 1;\n';
const B = 'module.exports = () => 2;\n';
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'waves', private: true, scripts: { test: 'node --test test/' } }),
  'src/a.js': A,
  'src/b.js': B,
  'test/a.test.js': `const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst a = require('../src/a');\ntest('a is a number', async () => { ${pause} assert.equal(typeof a(), 'number'); });\n`,
  'test/b.test.js': `const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst b = require('../src/b');\ntest('b is a number', async () => { ${pause} assert.equal(typeof b(), 'number'); });\n`,
  'test/sources.test.js':
    `const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst { readFileSync } = require('node:fs');\nconst read = (name) => readFileSync(require('node:path').join(__dirname, '..', 'src', name), 'utf8');\n` +
    `test('no TODO left in the sources', () => { assert.ok(!read('a.js').includes('TODO') && !read('b.js').includes('TODO')); });\n` +
    `test('a and b are not both marked negative', () => { assert.ok(!(read('a.js').includes('NEGATIVE') && read('b.js').includes('NEGATIVE'))); });\n`,
};

function makeRepo(): { root: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-waves-'));
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

/** A verifier with a taken baseline; narrowing always (these suites are quick) unless `narrowWhenSuiteTakesMs` says otherwise. */
async function withVerifier<T>(work: (verifier: StepVerifier) => Promise<T>, narrowWhenSuiteTakesMs = 0): Promise<T> {
  const repo = makeRepo();
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, narrowWhenSuiteTakesMs, parallel: 3 });
  try {
    const baseline = await verifier.runBaseline();
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    return await work(verifier);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
}

/** Two steps finishing together: each verify call is a step's fix loop asking for its verdict. */
function both(verifier: StepVerifier, a: StagedChange, b: StagedChange): Promise<[TestEvidence, TestEvidence]> {
  return Promise.all([verifier.verify([a], { stepId: 'A', ownPaths: [a.path] }), verifier.verify([b], { stepId: 'B', ownPaths: [b.path] })]);
}

function runsOf(evidence: TestEvidence, kind: TestRun['kind']): TestRun[] {
  return (evidence.runs ?? []).filter((run) => run.kind === kind);
}

function interval(run: TestRun): [number, number] {
  const start = Date.parse(run.startedAt ?? '');
  return [start, start + run.durationMs];
}

test('steps that finish together run their related tests in parallel copies (overlapping), then share one full-suite run', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    const [a, b] = await both(verifier, modify('src/a.js', A, 'module.exports = () => 10;\n'), modify('src/b.js', B, 'module.exports = () => 20;\n'));
    assert.equal(a.verdict, 'passed', a.reason);
    assert.equal(b.verdict, 'passed', b.reason);
    const [relatedA] = runsOf(a, 'related');
    const [relatedB] = runsOf(b, 'related');
    assert.ok(relatedA !== undefined && relatedB !== undefined, 'each step ran its related tests first');
    assert.match(relatedA.command, /test\/a\.test\.js/);
    assert.match(relatedB.command, /test\/b\.test\.js/);
    const [startA, endA] = interval(relatedA);
    const [startB, endB] = interval(relatedB);
    assert.ok(startA < endB && startB < endA, `the two related runs overlap: A ${relatedA.startedAt ?? ''} +${relatedA.durationMs} ms, B ${relatedB.startedAt ?? ''} +${relatedB.durationMs} ms`);
    // One wave: the same full run verified both, and it held both steps.
    assert.equal(verifier.fullRuns, 1);
    assert.deepEqual(runsOf(a, 'full'), runsOf(b, 'full'));
    assert.deepEqual(runsOf(a, 'full')[0]?.steps, ['A', 'B']);
    assert.match(describeGrounds(a), /runs: related tests passed in [\d.]+ s; full suite with A, B passed in [\d.]+ s/);
  });
});

test('a related run that fails goes back at once: no full-suite run for that step', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    const broken = await verifier.verify([modify('src/a.js', A, "module.exports = () => 'one';\n")], { stepId: 'A', ownPaths: ['src/a.js'] });
    assert.equal(broken.verdict, 'failed', broken.reason);
    assert.deepEqual(broken.newFailures, ['a is a number']);
    assert.deepEqual((broken.runs ?? []).map((run) => run.kind), ['related']);
    assert.equal(verifier.fullRuns, 0, 'the full suite never ran');
  });
});

test('a wave whose full run fails is attributed: the step that breaks it fails, the other is verified by its own full run', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    // A's related test (a.test.js) passes; only the full suite's text check sees its TODO.
    const [a, b] = await both(verifier, modify('src/a.js', A, 'module.exports = () => 1; // TODO\n'), modify('src/b.js', B, 'module.exports = () => 3;\n'));
    assert.equal(a.verdict, 'failed', a.reason);
    assert.deepEqual(a.newFailures, ['no TODO left in the sources']);
    assert.match(a.reason, /with A alone/);
    assert.equal(b.verdict, 'passed', b.reason);
    // The wave, then each step alone (in parallel): three full runs.
    assert.equal(verifier.fullRuns, 3);
    const fullB = runsOf(b, 'full');
    assert.deepEqual(fullB.map((run) => [run.steps, run.verdict]), [[['A', 'B'], 'failed'], [['B'], 'passed']], 'B counts as verified by the full run that held it alone');
  });
});

test('a failure no step causes alone is an interaction: the first step is verified, the other fails naming it', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    const [a, b] = await both(verifier, modify('src/a.js', A, 'module.exports = () => 1; // NEGATIVE\n'), modify('src/b.js', B, 'module.exports = () => 2; // NEGATIVE\n'));
    assert.equal(a.verdict, 'passed', a.reason);
    assert.equal(b.verdict, 'failed', b.reason);
    assert.match(b.reason, /passes with B alone but fails with A beside it: the steps' changes interact/);
    assert.deepEqual(b.newFailures, ['a and b are not both marked negative']);
    assert.equal(verifier.fullRuns, 3);
  });
});

test('a verdict asked for while the baseline still runs waits only for it: the related run overlaps the baseline', { timeout: 180_000 }, async () => {
  const repo = makeRepo();
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, narrowWhenSuiteTakesMs: 0, parallel: 3 });
  try {
    let baselineEnded = Number.NaN;
    const baseline = verifier.runBaseline().then((evidence) => {
      baselineEnded = Date.now();
      return evidence;
    });
    const step = await verifier.verify([modify('src/a.js', A, 'module.exports = () => 5;\n')], { stepId: 'A', ownPaths: ['src/a.js'] });
    assert.equal((await baseline).verdict, 'passed');
    assert.equal(step.verdict, 'passed', step.reason);
    assert.ok(step.baseline !== undefined, 'the verdict was compared with the baseline');
    const [related] = runsOf(step, 'related');
    assert.ok(related !== undefined);
    assert.ok(interval(related)[0] < baselineEnded, `the related run started (${related.startedAt ?? ''}) before the baseline ended (${new Date(baselineEnded).toISOString()})`);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
});

test('each copy is swept on its own: a step whose tests rewrite another test file fails, the step beside it is verified, and no later run sees the rewrite', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    const original = files['test/a.test.js'] ?? '';
    const forging = `${original}require('node:fs').writeFileSync(require('node:path').join(__dirname, 'b.test.js'), "require('node:test')('b is a number', () => {});\\n");\n`;
    const [a, b] = await both(verifier, modify('test/a.test.js', original, forging), modify('src/b.js', B, 'module.exports = () => 7;\n'));
    assert.equal(a.verdict, 'failed', a.reason);
    assert.match(a.reason, /rewrote test files the step does not own \(test\/b\.test\.js\)/);
    assert.equal(b.verdict, 'passed', b.reason);
    // The forged test would pass anything: a broken b must still fail, in whichever copy it runs.
    const broken = await verifier.verify([modify('src/b.js', B, "module.exports = () => 'seven';\n")], { stepId: 'B', ownPaths: ['src/b.js'] });
    assert.equal(broken.verdict, 'failed', broken.reason);
    assert.deepEqual(broken.newFailures, ['b is a number']);
  });
});

test('a step that asks while the baseline has run less than the narrowing threshold goes straight to its wave: no related run first', { timeout: 180_000 }, async () => {
  const repo = makeRepo();
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, narrowWhenSuiteTakesMs: 60_000, parallel: 3 });
  try {
    const baseline = verifier.runBaseline();
    const step = await verifier.verify([modify('src/a.js', A, 'module.exports = () => 5;\n')], { stepId: 'A', ownPaths: ['src/a.js'] });
    assert.equal((await baseline).verdict, 'passed');
    assert.equal(step.verdict, 'passed', step.reason);
    // The suite's length was not known yet, and less than the threshold had passed: narrowing could not pay.
    assert.deepEqual((step.runs ?? []).map((run) => run.kind), ['full']);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
});

test('related tests that are most of the suite are not run first: the full suite is what they would cost', { timeout: 180_000 }, async () => {
  const repo = makeRepo();
  // A 1 ms threshold: the suite counts as slow once the baseline has run, so only the selection decides.
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, narrowWhenSuiteTakesMs: 1, parallel: 3 });
  try {
    assert.equal((await verifier.runBaseline()).verdict, 'passed');
    // One test file of three: narrower, so it runs first.
    const narrow = await verifier.verify([modify('src/a.js', A, 'module.exports = () => 5;\n')], { stepId: 'A', ownPaths: ['src/a.js'] });
    assert.deepEqual((narrow.runs ?? []).map((run) => run.kind), ['related', 'full']);
    // Every test file: no narrower than the suite.
    const sources = files['test/sources.test.js'] ?? '';
    const wide = await verifier.verify(
      [modify('src/a.js', A, 'module.exports = () => 6;\n'), modify('src/b.js', B, 'module.exports = () => 7;\n'), modify('test/sources.test.js', sources, `${sources}// checked\n`)],
      { stepId: 'B', ownPaths: ['src/a.js', 'src/b.js', 'test/sources.test.js'] },
    );
    assert.equal(wide.verdict, 'passed', wide.reason);
    assert.deepEqual((wide.runs ?? []).map((run) => run.kind), ['full']);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
});

test('parallel steps that finish moments apart share one full run: the wave waits for the expected step', { timeout: 180_000 }, async () => {
  await withVerifier(async (verifier) => {
    // Both workers started; B finishes 100 ms after A: well inside the shortest window (250 ms),
    // where 400 ms was beyond it for this fast suite and passed only when staging happened to lag.
    verifier.expect('A');
    verifier.expect('B');
    const a = verifier.verify([modify('src/a.js', A, 'module.exports = () => 10;\n')], { stepId: 'A', ownPaths: ['src/a.js'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const b = verifier.verify([modify('src/b.js', B, 'module.exports = () => 20;\n')], { stepId: 'B', ownPaths: ['src/b.js'] });
    const [first, second] = await Promise.all([a, b]);
    assert.equal(first.verdict, 'passed', first.reason);
    assert.equal(second.verdict, 'passed', second.reason);
    assert.equal(verifier.fullRuns, 1, 'one full run for both');
    assert.deepEqual(runsOf(first, 'full')[0]?.steps, ['A', 'B']);
    assert.deepEqual((first.runs ?? []).map((run) => run.kind), ['full'], 'no related run held the wave back: the expectation did');
  }, 60_000);
});
