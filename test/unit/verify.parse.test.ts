import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunnerKind } from '../../src/agent/verify/detectTestCommand';
import { excerptFailure, parseTestOutput, type TestFailure, type TestSummary } from '../../src/agent/verify/parseTestOutput';

// Captured from node 20 --test, mocha 11, pytest 9 and cargo 1.95; jest, vitest, go and tape written after their formats.
const here = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'unit');
const fixture = (name: string): string => readFileSync(join(here, '..', 'fixtures', 'test-output', name), 'utf8');

interface Expected {
  readonly format: string;
  readonly counts: readonly [total: number | undefined, passed: number | undefined, failed: number | undefined, skipped: number | undefined];
  readonly failures?: readonly (readonly [name: string, file: string | undefined, line: number | undefined, message: RegExp | undefined])[];
}

function check(summary: TestSummary, expected: Expected): void {
  assert.equal(summary.format, expected.format);
  assert.deepEqual([summary.total, summary.passed, summary.failed, summary.skipped], expected.counts);
  const got = summary.failures.map((failure: TestFailure) => [failure.name, failure.file, failure.line]);
  assert.deepEqual(got, (expected.failures ?? []).map(([name, file, line]) => [name, file, line]));
  (expected.failures ?? []).forEach(([, , , message], index) => {
    if (message === undefined) assert.equal(summary.failures[index]?.message, undefined);
    else assert.match(summary.failures[index]?.message ?? '', message);
  });
}

const NODE_FAILURES = [
  ['multiplies numbers', '/home/dev/project/math.test.js', 10, /two times three/],
  ['uppercases', '/home/dev/project/math.test.js', 18, /strictly deep-equal/],
  ['throws in async code', '/home/dev/project/math.test.js', 25, /cannot read properties of undefined/],
] as const;
const PYTEST_FAILURES = [
  ['test_add_negative', 'tests/test_calc.py', 10, /^assert -3 == -4/],
  ['TestDivide::test_divide', 'tests/test_calc.py', 22, /^assert \(10 \/ 4\) == 2$/],
  ['test_error_in_code', 'tests/test_calc.py', 26, /^KeyError: 'missing'$/],
] as const;

const CASES: readonly (readonly [file: string, hint: RunnerKind | undefined, expected: Expected])[] = [
  ['node-tap-fail.txt', 'node-test', { format: 'tap', counts: [6, 2, 3, 1], failures: NODE_FAILURES }],
  ['node-spec-fail.txt', 'node-test', { format: 'node-spec', counts: [6, 2, 3, 1], failures: NODE_FAILURES }],
  ['node-junit-fail.xml', undefined, { format: 'junit', counts: [6, 2, 3, 1], failures: NODE_FAILURES }],
  ['tape-fail.txt', undefined, { format: 'tap', counts: [3, 1, 1, 1], failures: [['should be strictly equal', '/home/dev/project/test/math.js', 9, /expected 1, actual 2/]] }],
  ['tap-plain.txt', undefined, { format: 'tap', counts: [3, 1, 1, 1], failures: [['parses dates', 'test/dates.test.js', 14, /expected 2024 to equal 2025/]] }],
  ['jest-fail.txt', 'jest', { format: 'jest', counts: [6, 4, 1, 1], failures: [['sum › adds negative numbers', 'src/sum.test.js', 8, /toBe\(expected\)/]] }],
  ['jest-suite-error.txt', 'npm', { format: 'jest', counts: [0, 0, 0, 0], failures: [['src/broken.test.js', 'src/broken.test.js', 1, /Cannot find module '.\/missing'/]] }],
  ['vitest-fail.txt', 'vitest', { format: 'vitest', counts: [5, 3, 1, 1], failures: [['sum > adds negative numbers', 'test/sum.test.ts', 8, /^AssertionError: expected -3 to be -4/]] }],
  ['mocha-fail.txt', 'mocha', {
    format: 'mocha', counts: [5, 2, 2, 1], failures: [
      ['Array sorts numbers', 'test/array.spec.js', 13, /strictly deep-equal/],
      ['Array #indexOf() should return the index when present', 'test/array.spec.js', 8, /strictly equal/],
    ],
  }],
  ['pytest-fail.txt', 'pytest', { format: 'pytest', counts: [6, 2, 3, 1], failures: PYTEST_FAILURES }],
  ['pytest-quiet-fail.txt', undefined, { format: 'pytest', counts: [6, 2, 3, 1], failures: PYTEST_FAILURES }],
  ['pytest-collect-error.txt', 'pytest', { format: 'pytest', counts: [1, 0, 1, 0], failures: [['tests/test_imp.py', 'tests/test_imp.py', 1, /ModuleNotFoundError: No module named 'nonexistent_module'/]] }],
  ['pytest-junit-fail.xml', 'pytest', {
    format: 'junit', counts: [6, 2, 3, 1], failures: [
      ['test_add_negative', 'tests/test_calc.py', 10, /^assert -3 == -4/],
      ['test_divide', 'tests/test_calc.py', 22, /assert \(10 \/ 4\) == 2/],
      ['test_error_in_code', 'tests/test_calc.py', 26, /KeyError/],
    ],
  }],
  ['cargo-fail.txt', 'cargo', {
    format: 'cargo', counts: [4, 1, 2, 1], failures: [
      ['tests::it_fails', 'src/lib.rs', 16, /assertion `left == right` failed\n {2}left: 4\n right: 5/],
      ['tests::panics_with_message', 'src/lib.rs', 26, /index out of bounds/],
    ],
  }],
  ['cargo-pass.txt', 'cargo', { format: 'cargo', counts: [5, 4, 0, 1] }],
  ['go-fail.txt', 'go', {
    format: 'go', counts: [undefined, undefined, 2, undefined], failures: [
      ['TestAdd', 'calc_test.go', 12, /^Add\(2, 2\) = 5; want 4$/],
      ['TestDivide/by_zero', 'calc_test.go', 25, /expected an error/],
    ],
  }],
  ['go-verbose-fail.txt', 'go', { format: 'go', counts: [5, 3, 1, 1], failures: [['TestAdd', 'calc_test.go', 12, /want 4/]] }],
  ['go-panic.txt', 'go', { format: 'go', counts: [undefined, undefined, 1, undefined], failures: [['TestParse', '/home/dev/project/parse_test.go', 35, /^panic: runtime error: index out of range/]] }],
  ['go-build-fail.txt', 'go', { format: 'go', counts: [undefined, undefined, 1, undefined], failures: [['example.com/calc', './calc_test.go', 8, /undefined: Multiply/]] }],
  ['go-pass.txt', 'go', { format: 'go', counts: [undefined, undefined, 0, undefined] }],
];

const ZERO_TESTS: readonly (readonly [file: string, format: string])[] = [
  ['node-tap-zero.txt', 'tap'],
  ['node-spec-zero.txt', 'node-spec'],
  ['tap-zero.txt', 'tap'],
  ['jest-zero.txt', 'jest'],
  ['vitest-zero.txt', 'vitest'],
  ['mocha-zero.txt', 'mocha'],
  ['pytest-zero.txt', 'pytest'],
  ['pytest-deselected.txt', 'pytest'],
  ['cargo-zero.txt', 'cargo'],
  ['go-zero.txt', 'go'],
];

describe('parseTestOutput on captured runs', () => {
  for (const [file, hint, expected] of CASES) {
    test(`${file}${hint === undefined ? '' : ` (hint ${hint})`}`, () => check(parseTestOutput(fixture(file), hint), expected));
  }

  test('the format is found without a hint, and a wrong hint does not mislead', () => {
    for (const [file, , expected] of CASES) assert.equal(parseTestOutput(fixture(file)).format, expected.format, file);
    assert.equal(parseTestOutput(fixture('mocha-fail.txt'), 'jest').format, 'mocha');
    assert.equal(parseTestOutput(fixture('pytest-fail.txt'), 'node-test').format, 'pytest');
  });
});

describe('zero tests run is told apart from a pass', () => {
  for (const [file, format] of ZERO_TESTS) {
    test(file, () => {
      const summary = parseTestOutput(fixture(file));
      assert.equal(summary.format, format);
      assert.equal(summary.total, 0);
      assert.deepEqual(summary.failures, []);
    });
  }

  test('an empty JUnit report', () => {
    check(parseTestOutput('<?xml version="1.0"?>\n<testsuites tests="0" failures="0" errors="0"></testsuites>\n'), { format: 'junit', counts: [0, 0, 0, 0] });
  });

  test('everything skipped is not zero tests, but passes nothing', () => {
    const summary = parseTestOutput('ℹ tests 6\nℹ suites 1\nℹ pass 0\nℹ fail 0\nℹ cancelled 0\nℹ skipped 6\nℹ todo 0\n');
    assert.deepEqual([summary.total, summary.passed, summary.skipped], [6, 0, 6]);
  });
});

describe('parseTestOutput on messy output', () => {
  test('colours and CRLF line ends do not get in the way', () => {
    const coloured = fixture('jest-fail.txt').replace(/^(Tests:)/m, '\u001b[1m$1\u001b[22m').replace(/●/g, '\u001b[1m\u001b[31m●\u001b[39m\u001b[22m').replace(/\n/g, '\r\n');
    check(parseTestOutput(coloured), { format: 'jest', counts: [6, 4, 1, 1], failures: [['sum › adds negative numbers', 'src/sum.test.js', 8, /toBe/]] });
  });

  test('cancelled node tests count as failed', () => {
    const summary = parseTestOutput('TAP version 13\nnot ok 1 - slow\n  ---\n  failureType: \'cancelledByParent\'\n  error: \'test timed out after 100ms\'\n  ...\n1..1\n# tests 1\n# pass 0\n# fail 0\n# cancelled 1\n');
    assert.deepEqual([summary.total, summary.failed], [1, 1]);
    assert.equal(summary.failures[0]?.message, 'test timed out after 100ms');
  });

  test('output of no known runner', () => {
    assert.deepEqual(parseTestOutput('make: *** [Makefile:3: test] Error 1\n'), { failures: [], format: undefined });
    assert.deepEqual(parseTestOutput(''), { failures: [], format: undefined });
  });
});

describe('excerptFailure', () => {
  const excerpt = (file: string, maxChars?: number): { text: string; full: string } => {
    const full = fixture(file);
    return { text: excerptFailure(full, parseTestOutput(full), maxChars), full };
  };

  test('node: each failing test with its assertion and project frame, without runner internals or passing tests', () => {
    const { text, full } = excerpt('node-spec-fail.txt');
    for (const wanted of ['✖ multiplies numbers', '6 !== 7', "-   value: 'ABd'", 'cannot read properties of undefined', '(/home/dev/project/math.test.js:10:10)', 'ℹ fail 3']) {
      assert.ok(text.includes(wanted), `missing ${wanted}`);
    }
    assert.ok(!text.includes('✔ adds numbers'));
    assert.ok(!text.includes('node:internal/test_runner/test:526:18'));
    assert.ok(text.length < full.length / 2, `${text.length} of ${full.length}`);
  });

  test('pytest: the three failure sections, not the session header', () => {
    const { text } = excerpt('pytest-fail.txt');
    for (const wanted of ['E       assert -3 == -4', 'TestDivide.test_divide', "E       KeyError: 'missing'", 'tests/test_calc.py:26: KeyError', '3 failed, 2 passed, 1 skipped']) {
      assert.ok(text.includes(wanted), `missing ${wanted}`);
    }
    assert.ok(!text.includes('platform linux') && !text.includes('collected 6 items'));
  });

  test('jest, vitest, mocha, cargo and go: the failing sections only', () => {
    const cases: readonly (readonly [string, readonly string[], readonly string[]])[] = [
      ['jest-fail.txt', ['Expected: -4', 'at Object.toBe (src/sum.test.js:8:25)', 'Tests:       1 failed'], ['computing -1 + -2', 'PASS src/format.test.js']],
      ['vitest-fail.txt', ['AssertionError: expected -3 to be -4', '❯ test/sum.test.ts:8:25'], ['RUN  v2.1.8', 'Start at']],
      ['mocha-fail.txt', ['sorts numbers:', '2 !== 1', 'test/array.spec.js:8:14'], ['✔ has a length']],
      ['cargo-fail.txt', ['left: 4', 'index out of bounds', 'test result: FAILED'], ['test tests::it_works ... ok']],
      ['go-verbose-fail.txt', ['=== RUN   TestAdd', 'Add(2, 2) = 5; want 4', '--- FAIL: TestAdd'], ['TestSub', 'TestDivide/exact']],
      ['go-build-fail.txt', ['[build failed]', 'undefined: Multiply'], []],
    ];
    for (const [file, present, absent] of cases) {
      const { text } = excerpt(file);
      for (const wanted of present) assert.ok(text.includes(wanted), `${file}: missing ${wanted}\n${text}`);
      for (const unwanted of absent) assert.ok(!text.includes(unwanted), `${file}: should leave out ${unwanted}\n${text}`);
    }
  });

  test('stays within its budget, naming what it had to leave out', () => {
    const many = ['TAP version 13', ...Array.from({ length: 200 }, (_, i) => `not ok ${i + 1} - case ${i + 1}\n  ---\n  error: 'expected ${i} to be ${i + 1}'\n  ...`), '1..200', '# tests 200', '# pass 0', '# fail 200'].join('\n');
    const summary = parseTestOutput(many);
    assert.equal(summary.failures.length, 200);
    const text = excerptFailure(many, summary, 2000);
    assert.ok(text.length <= 2000, `${text.length} chars`);
    assert.match(text, /not ok 1 - case 1\n/);
    assert.match(text, /more failing tests/);
    assert.ok(excerpt('node-spec-fail.txt', 500).text.length <= 500);
  });

  test('falls back to the tail when no failing test can be found', () => {
    const log = [...Array.from({ length: 5000 }, (_, i) => `compiling module ${i}`), 'fatal: out of memory'].join('\n');
    const text = excerptFailure(log, parseTestOutput(log), 1000);
    assert.ok(text.length <= 1000);
    assert.ok(text.startsWith('… (earlier output omitted)\ncompiling module'));
    assert.ok(text.endsWith('fatal: out of memory'));
  });
});
