/**
 * Tests by name: every reader lists the tests its output names, so a verification can be compared
 * with the baseline test by test. Fixtures captured from node 20 --test (TAP and spec, one file
 * ended early by process.exit(0)), mocha 11, pytest 9 (-v, -rA) and cargo 1.95; jest --verbose,
 * vitest --reporter=verbose and go test -json written after their formats.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareWithBaseline, declares } from '../../src/agent/verify/baselineComparison';
import { withNamingReporter } from '../../src/agent/verify/namingReporter';
import { excerptFailure, parseTestOutput, plainText, type TestRecord, type TestSummary } from '../../src/agent/verify/parseTestOutput';

const here = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'unit');
const fixture = (name: string): string => readFileSync(join(here, '..', 'fixtures', 'test-output', name), 'utf8');

/** `status name` or `status file › name`; whole files as `status [file]`. */
const names = (summary: TestSummary): string[] =>
  (summary.tests ?? []).map((entry: TestRecord) => `${entry.status} ${entry.wholeFile === true ? `[${entry.file ?? ''}]` : entry.file !== undefined ? `${entry.file} › ${entry.name}` : entry.name}`);

const NODE_NAMES = [
  'passed greets',
  'passed says goodbye',
  'passed passing suite › inner ok',
  'passed parent test › sub a',
  'passed parent test › sub b',
  'passed math › adds',
  'failed math › nested › multiplies',
  'skipped math › skipped one',
  'skipped math › todo one',
  'passed greets',
];

describe('the tests an output names', () => {
  test('node TAP and spec name the same tests, qualified by suite; a test with subtests is not one itself', () => {
    assert.deepEqual(names(parseTestOutput(fixture('node-tap-names.txt'))), NODE_NAMES);
    assert.deepEqual(names(parseTestOutput(fixture('node-spec-names.txt'))), NODE_NAMES);
  });

  test('node: a file that exits before its tests report is one test named by its path, a whole file', () => {
    const early = NODE_NAMES.slice(2);
    for (const file of ['node-tap-exit.txt', 'node-spec-exit.txt']) {
      assert.deepEqual(names(parseTestOutput(fixture(file), 'node-test')), ['passed [/home/dev/project/test/greet.test.js]', ...early], file);
    }
  });

  test('node junit, mocha spec', () => {
    assert.deepEqual(names(parseTestOutput(fixture('node-junit-fail.xml'))), [
      'passed adds numbers',
      'failed multiplies numbers',
      'passed strings › concatenates',
      'failed strings › uppercases',
      'skipped strings › is skipped',
      'failed throws in async code',
    ]);
    assert.deepEqual(names(parseTestOutput(fixture('mocha-names.txt'), 'mocha')), [
      'passed works at the top level',
      'passed Array › has a length',
      'passed Array › #indexOf() › returns -1 when absent',
      'failed Array › #indexOf() › returns the index when present',
      'skipped Array › #indexOf() › handles NaN',
      'passed String › has a length',
    ]);
  });

  test('jest: PASS/FAIL lines as whole files, --verbose trees as tests in them', () => {
    assert.deepEqual(names(parseTestOutput(fixture('jest-verbose.txt'))), [
      'passed [src/format.test.js]',
      'passed src/format.test.js › format › pads numbers',
      'passed src/format.test.js › format › keeps text',
      'failed [src/sum.test.js]',
      'passed src/sum.test.js › sum › adds 1 + 2 to equal 3',
      'failed src/sum.test.js › sum › adds negative numbers',
      'skipped src/sum.test.js › sum › handles floats',
      'skipped src/sum.test.js › sum › handles big numbers',
      'passed src/sum.test.js › subtracts',
    ]);
  });

  test('vitest: verbose lines, or the default reporter\'s files and the failing tests under them', () => {
    assert.deepEqual(names(parseTestOutput(fixture('vitest-verbose.txt'))), [
      'passed test/format.test.ts › format > pads numbers',
      'passed test/sum.test.ts › sum > adds 1 + 2',
      'failed test/sum.test.ts › sum > adds negative numbers',
      'skipped test/sum.test.ts › sum > handles floats',
      'passed test/sum.test.ts › subtracts',
    ]);
    assert.deepEqual(names(parseTestOutput(fixture('vitest-fail.txt'))), ['failed [test/sum.test.ts]', 'failed test/sum.test.ts › sum > adds negative numbers', 'passed [test/format.test.ts]']);
  });

  test('pytest: -v lines and -rA summary lines name the same tests; xfail counts as skipped', () => {
    const expected = [
      'passed tests/test_calc.py › test_add',
      'failed tests/test_calc.py › test_add_negative',
      'skipped tests/test_calc.py › test_skipped',
      'passed tests/test_calc.py › TestDivide::test_divide_by_zero',
      'passed tests/test_calc.py › TestDivide::test_same[1-1]',
      'passed tests/test_calc.py › TestDivide::test_same[2-2]',
      'skipped tests/test_calc.py › test_known_bug',
    ];
    assert.deepEqual(names(parseTestOutput(fixture('pytest-verbose.txt'))), expected);
    // -rA does not name skipped tests; the rest are the same.
    assert.deepEqual(names(parseTestOutput(fixture('pytest-report-all.txt'))).sort(), expected.filter((entry) => !entry.endsWith('test_skipped')).sort());
  });

  test('cargo: each test in the target its Running line names; doc tests carry their file in their name', () => {
    assert.deepEqual(names(parseTestOutput(fixture('cargo-names.txt'))), [
      'passed src/lib.rs › tests::it_works',
      'skipped src/lib.rs › tests::slow_one',
      'failed src/lib.rs › tests::it_fails',
      'passed tests/api.rs › adds_from_outside',
      'passed src/lib.rs - add (line 3)',
    ]);
  });

  test('go: -v lines with their package; -json events read back into the -v text the model sees', () => {
    assert.deepEqual(names(parseTestOutput(fixture('go-verbose-fail.txt'))), [
      'failed example.com/calc › TestAdd',
      'passed example.com/calc › TestSub',
      'skipped example.com/calc › TestSkip',
      'passed example.com/calc › TestDivide/by_zero',
      'passed example.com/calc › TestDivide/exact',
    ]);
    const json = fixture('go-json-fail.txt');
    const summary = parseTestOutput(json);
    assert.equal(summary.format, 'go');
    assert.deepEqual([summary.total, summary.passed, summary.failed, summary.skipped], [6, 4, 1, 1]);
    assert.deepEqual(names(summary).slice(-1), ['passed example.com/calc/format › TestPad']);
    assert.deepEqual(summary.failures.map((entry) => [entry.name, entry.file, entry.line, entry.message]), [['TestAdd', 'calc_test.go', 12, 'Add(2, 2) = 5; want 4']]);
    assert.doesNotMatch(plainText(json), /"Action"/);
    assert.match(excerptFailure(json, summary), /^=== RUN {3}TestAdd\n {4}calc_test\.go:12: Add\(2, 2\) = 5; want 4\n--- FAIL: TestAdd/);
  });

  test('outputs that name no test have no list', () => {
    assert.equal(parseTestOutput(fixture('go-pass.txt')).tests, undefined);
    assert.equal(parseTestOutput('Tests:       3 passed, 3 total\n').tests, undefined);
  });
});

const record = (name: string, status: TestRecord['status'] = 'passed', file?: string): TestRecord => (file === undefined ? { name, status } : { name, file, status });
const run = (tests: TestRecord[] | undefined, counts: Partial<TestSummary> = {}): TestSummary => ({ failures: [], format: 'tap', ...counts, ...(tests !== undefined ? { tests } : {}) });

describe('compareWithBaseline', () => {
  test('two tests with one name: one gone is missing', () => {
    const before = run([record('works', 'passed', 'a.js'), record('works', 'passed', 'b.js'), record('greets'), record('greets')]);
    const after = run([record('works', 'passed', 'a.js'), record('works', 'passed', 'b.js'), record('greets')]);
    assert.deepEqual(compareWithBaseline(before, after).missing, ['greets']);
  });

  test('a whole file stands for its tests only where the baseline named the file alone', () => {
    const before = run([{ name: 'src/a.test.js', file: 'src/a.test.js', status: 'passed', wholeFile: true }, record('adds', 'passed', 'src/b.test.js')]);
    assert.deepEqual(compareWithBaseline(before, run([record('x', 'failed', 'src/a.test.js'), record('adds', 'passed', 'src/b.test.js')])).missing, []);
    assert.deepEqual(compareWithBaseline(before, run([record('adds', 'passed', 'src/b.test.js')])).missing, ['src/a.test.js']);
    // A file node ran as one test does not stand for the tests it used to report.
    assert.deepEqual(compareWithBaseline(run([record('greets')]), run([{ name: 'test/g.test.js', file: 'test/g.test.js', status: 'passed', wholeFile: true }])).missing, ['greets']);
  });

  test('failing tests that went away are not missing; a passing test now failing is a failure, not missing', () => {
    assert.deepEqual(compareWithBaseline(run([record('broken', 'failed'), record('ok')]), run([record('ok')])).missing, []);
    assert.deepEqual(compareWithBaseline(run([record('ok')]), run([record('ok', 'failed')])).missing, []);
  });

  test('declared names: the name, its key, its file, a suite, or the end of a qualified name', () => {
    const test = record('suite › inner › greets', 'passed', 'test/greet.test.js');
    for (const name of ['suite › inner › greets', 'test/greet.test.js › suite › inner › greets', 'test/greet.test.js', 'greet.test.js', 'suite', 'suite › inner', 'greets', 'inner › greets']) assert.ok(declares(name, test), name);
    for (const name of ['greet', 'inner', 'test/other.test.js', '', 'eets']) assert.ok(!declares(name, test), name);
    assert.ok(declares('test_x', record('TestA::test_x', 'passed', 't.py')));
  });

  test('counts must agree where the names are partial; each declared name may stand for one test', () => {
    const before = run(undefined, { passed: 5, total: 5 });
    assert.deepEqual(compareWithBaseline(before, run(undefined, { passed: 4, total: 4 })).countDrop, { what: 'passed', before: 5, after: 4 });
    assert.equal(compareWithBaseline(before, run(undefined, { passed: 4, total: 4 }), ['gone']).countDrop, undefined);
    // vitest's default reporter names failing tests and files, not the passing tests.
    const files = run([{ name: 'a.ts', file: 'a.ts', status: 'passed', wholeFile: true }], { passed: 5, failed: 0, total: 5 });
    assert.equal(compareWithBaseline(files, run([{ name: 'a.ts', file: 'a.ts', status: 'passed', wholeFile: true }], { passed: 3, failed: 0, total: 3 })).countDrop?.what, 'passed');
    // Where both name every passing test, names decide: node counts a test with subtests as one more.
    assert.equal(compareWithBaseline(run([record('p › a'), record('p › b')], { passed: 3 }), run([], { passed: 0 }), ['p']).countDrop, undefined);
  });
});

describe('withNamingReporter', () => {
  test('asks each runner for a report naming every test, only on a plain invocation that chose no reporter', () => {
    assert.equal(withNamingReporter('node-test', 'node --test'), 'node --test-reporter=tap --test');
    assert.equal(withNamingReporter('node-test', 'node --import tsx --test test/a.test.ts'), 'node --test-reporter=tap --import tsx --test test/a.test.ts');
    assert.equal(withNamingReporter('node-test', 'node --test --test-reporter=dot'), 'node --test --test-reporter=dot');
    assert.equal(withNamingReporter('vitest', 'npx vitest run'), 'npx vitest run --reporter=verbose');
    assert.equal(withNamingReporter('jest', 'pnpm exec jest --runTestsByPath a.test.js'), 'pnpm exec jest --runTestsByPath a.test.js --verbose');
    assert.equal(withNamingReporter('mocha', 'npx mocha'), 'npx mocha --reporter spec');
    assert.equal(withNamingReporter('mocha', 'npx mocha -R dot'), 'npx mocha -R dot');
    assert.equal(withNamingReporter('pytest', '.venv/bin/python -m pytest'), '.venv/bin/python -m pytest -rfEpxX');
    assert.equal(withNamingReporter('go', 'go test ./...'), 'go test -json ./...');
    assert.equal(withNamingReporter('cargo', 'cargo test'), 'cargo test');
    assert.equal(withNamingReporter('npm', 'npm test'), 'npm test');
    assert.equal(withNamingReporter('node-test', 'node --test && echo done'), 'node --test && echo done');
  });
});
