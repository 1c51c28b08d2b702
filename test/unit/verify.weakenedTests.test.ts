import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { steeringInChanges, steeringVerdictReason } from '../../src/agent/verify/verdictSteering';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const change = (path: string, before: string | undefined, after: string | undefined) => ({ path, before: before === undefined ? undefined : bytes(before), after: after === undefined ? undefined : bytes(after) });

const greetTest = [
  "const test = require('node:test');",
  "const assert = require('node:assert/strict');",
  "const { greet } = require('../src/greet');",
  '',
  "test('greets', () => {",
  "  assert.equal(greet('Ada'), 'Hello, Ada!');",
  "  assert.equal(greet('Bo'), 'Hello, Bo!');",
  '});',
  '',
  "test('greets nobody', () => {",
  "  assert.equal(greet(''), 'Hello, !');",
  '});',
  '',
].join('\n');
const edited = (from: string, to: string): string => {
  assert.ok(greetTest.includes(from), from);
  return greetTest.replace(from, to);
};
const findingsFor = (after: string, path = 'test/greet.test.js') => steeringInChanges([change(path, greetTest, after)]);

describe('tests a step made pass by asking less of them', () => {
  const alwaysPassing: [string, string][] = [
    ['same call on both sides', "  assert.equal(greet('Ada'), greet('Ada'));"],
    ['strictEqual of a name with itself', '  assert.strictEqual(result, result);'],
    ['deepStrictEqual across spacing', '  assert.deepStrictEqual( out.items ,out.items );'],
    ['expect on both sides', "  expect(greet('Ada')).toBe(greet('Ada'));"],
    ['chai chain', '  expect(value).to.deep.equal(value);'],
    ['a constant truth', '  assert.ok(true);'],
    ['assert(1)', '  assert(1);'],
    ['expect(true)', '  expect(true).toBe(true);'],
    ['ava', '  t.is(actual, actual);'],
  ];
  for (const [what, line] of alwaysPassing) {
    test(`flags an assertion that cannot fail: ${what}`, () => {
      const found = findingsFor(edited("  assert.equal(greet('Ada'), 'Hello, Ada!');", line));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.line, 6);
      assert.match(found[0]?.what ?? '', /an assertion that cannot fail/);
    });
  }

  test('python: assert True, assert x == x, self.assertEqual(x, x), self.assertTrue(True)', () => {
    const before = 'from greeter import greet\n\ndef test_greets():\n    assert greet("Ada") == "Hello, Ada!"\n';
    for (const line of ['    assert True', '    assert greet("Ada") == greet("Ada")', '    self.assertEqual(result, result)', '    self.assertTrue(True)']) {
      const found = steeringInChanges([change('tests/test_greet.py', before, before.replace('    assert greet("Ada") == "Hello, Ada!"', line))]);
      assert.equal(found.length, 1, `${line}: ${JSON.stringify(found)}`);
    }
  });

  test('flags existing tests that lose an assertion while they still run, deleted or commented out', () => {
    for (const after of [edited("  assert.equal(greet('Bo'), 'Hello, Bo!');\n", ''), edited("  assert.equal(greet('Bo'), 'Hello, Bo!');", "  // assert.equal(greet('Bo'), 'Hello, Bo!');")]) {
      const found = findingsFor(after);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.path, 'test/greet.test.js');
      assert.equal(found[0]?.line, 7);
      assert.match(found[0]?.what ?? '', /leaves existing tests with 1 fewer assertion \(3 → 2\) while they still run by name/);
    }
    assert.match(steeringVerdictReason(findingsFor(edited("  assert.equal(greet('Bo'), 'Hello, Bo!');\n", ''))), /test\/greet\.test\.js:7 leaves existing tests with 1 fewer assertion/);
  });

  test('an assertion changed to weaker one of the same count is left to review (a tripwire, not a proof)', () => {
    assert.deepEqual(findingsFor(edited("  assert.equal(greet('Ada'), 'Hello, Ada!');", "  assert.ok(greet('Ada'));")), []);
  });

  const ordinary: [string, string][] = [
    ['a rename inside an assertion', edited("assert.equal(greet('Ada'), 'Hello, Ada!')", "assert.equal(welcome('Ada'), 'Hello, Ada!')")],
    ['a new expected value', edited("'Hello, Ada!'", "'Welcome, Ada!'")],
    ['a test removed with its assertion (the baseline comparison judges that)', edited("test('greets nobody', () => {\n  assert.equal(greet(''), 'Hello, !');\n});\n", '')],
    ['a new test with real assertions', `${greetTest}test('greets twice', () => {\n  assert.equal(greet(greet('A')), 'Hello, Hello, A!!');\n});\n`],
    ['two assertions merged with a test added', edited("  assert.equal(greet('Ada'), 'Hello, Ada!');\n  assert.equal(greet('Bo'), 'Hello, Bo!');", "  assert.deepEqual(['Ada', 'Bo'].map(greet), ['Hello, Ada!', 'Hello, Bo!']);\n});\n\ntest('more', () => {\n  assert.equal(greet('C'), 'Hello, C!');")],
  ];
  for (const [what, after] of ordinary) {
    test(`does not flag ${what}`, () => {
      assert.deepEqual(findingsFor(after), []);
    });
  }

  test('an assertion moved to another test file is not a loss; fewer assertions in source code are not tests', () => {
    const moved = [
      change('test/greet.test.js', greetTest, edited("  assert.equal(greet('Bo'), 'Hello, Bo!');\n", '')),
      change('test/bo.test.js', "const test = require('node:test');\ntest('bo', () => {\n});\n", "const test = require('node:test');\ntest('bo', () => {\n  assert.equal(greet('Bo'), 'Hello, Bo!');\n});\n"),
    ];
    assert.deepEqual(steeringInChanges(moved), []);
    const source = 'function div(a, b) {\n  assert(b !== 0);\n  return a / b;\n}\n';
    assert.deepEqual(steeringInChanges([change('src/div.js', source, source.replace('  assert(b !== 0);\n', ''))]), []);
  });
});
