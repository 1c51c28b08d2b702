import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { objectiveChecks } from '../../src/agent/review/objectiveChecks';
import { describeSteering, steeringInChanges, steeringInFile, steeringVerdictReason } from '../../src/agent/verify/verdictSteering';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const base = "const assert = require('node:assert');\nfunction greet(name) {\n  return `Hello, ${name}!`;\n}\nmodule.exports = { greet };\n";
/** The findings of adding `line` on top of `base`. */
const adding = (line: string, path = 'src/greet.js') => steeringInFile(path, bytes(base), bytes(`${line}\n${base}`));

describe('code that can steer its own test results', () => {
  const steering: [string, RegExp][] = [
    ['process.exit(0);', /ends or signals a process/],
    ["process['exit'](0);", /ends or signals a process/],
    ['process.kill(process.ppid, "SIGKILL");', /ends or signals a process/],
    ['process.exitCode = 0;', /sets the process exit code/],
    ["require('fs').writeFileSync('/proc/' + process.ppid + '/fd/1', 'ok 1 - greets\\n');", /another process's files/],
    ["require('node:assert/strict').equal = () => {};", /replaces an assertion function/],
    ['assert.deepStrictEqual = function () {};', /replaces an assertion function/],
    ['expect.prototype.toBe = () => true;', /replaces an assertion function/],
    ['globalThis.it = (name) => {};', /replaces a test runner's global/],
    ['test.skip = test;', /replaces a test runner's function/],
    ["Object.assign(require('assert'), { ok() {} });", /rewrites the assertion module/],
    ['process.stdout.write = () => true;', /replaces the process's output/],
    ['Module._load = patched;', /changes how modules load/],
    ['delete require.cache[key];', /changes how modules load/],
    ['if (process.env.NODE_TEST_CONTEXT) greet = () => "Hello, Ada!";', /detects that it runs under a test runner/],
    ["console.log('  ✔ greets');", /prints a test runner's result words/],
    ["console.log('2 passing (4ms)');", /prints a test runner's result words/],
    ["eval(atob('cHJvY2Vzcy5leGl0KDAp'));", /runs code built at run time/],
    ["const { execSync } = require('node:child_process');", /starts processes/],
  ];
  for (const [line, what] of steering) {
    test(`flags: ${line}`, () => {
      const found = adding(line);
      assert.equal(found.length, 1, `${line} was not flagged`);
      assert.equal(found[0]?.line, 1);
      assert.match(found[0]?.what ?? '', what);
    });
  }

  test('python: os._exit, replaced TestCase methods, sys.modules, subprocess', () => {
    const before = 'def greet(name):\n    return f"Hello, {name}!"\n';
    for (const line of ['os._exit(0)', 'unittest.TestCase.assertEqual = lambda *a: None', "sys.modules['greeter'] = fake", 'import subprocess']) {
      assert.equal(steeringInFile('greeter.py', bytes(before), bytes(`${line}\n${before}`)).length, 1, line);
    }
  });

  const ordinary = [
    "const assert = require('node:assert/strict');",
    'assert.equal(greet("Ada"), "Hello, Ada!");',
    'expect(greet("Ada")).toBe("Hello, Ada!");',
    'const ok = value === expected;',
    'if (result.ok == true) return;',
    'const equal = (a, b) => a === b;',
    "process.env.NODE_ENV === 'test';",
    "console.log('Hello');",
    'const passedTests = results.filter((r) => r.ok);',
  ];
  for (const line of ordinary) {
    test(`ordinary code is not flagged: ${line}`, () => assert.deepEqual(adding(line), []));
  }

  test('a rename that touches a line which already exited is not flagged; a second exit is', () => {
    const cli = "function main() {\n  process.exit(greet() ? 0 : 1);\n}\n";
    const renamed = "function main() {\n  process.exit(welcome() ? 0 : 1);\n}\n";
    assert.deepEqual(steeringInFile('bin/cli.js', bytes(cli), bytes(renamed)), []);
    const another = `${renamed}process.exit(0);\n`;
    assert.deepEqual(steeringInFile('bin/cli.js', bytes(cli), bytes(another)).map((finding) => finding.line), [2, 4]);
  });

  test('prose and data files are not code; a new file counts every line; a deletion has none', () => {
    assert.deepEqual(steeringInFile('README.md', bytes('# Greeter\n'), bytes('# Greeter\nRun `process.exit(0)` to stop.\n')), []);
    assert.deepEqual(steeringInFile('fixtures/out.json', undefined, bytes('{"text": "✔ greets"}\n')), []);
    assert.equal(steeringInFile('test/new.test.js', undefined, bytes("console.log('ok 1 - greets');\nprocess.exit(0);\n")).length, 2);
    assert.deepEqual(steeringInFile('src/greet.js', bytes('process.exit(0);\n'), undefined), []);
  });

  test('the reasons name the lines, and at most three of them', () => {
    const findings = steeringInFile('t.js', undefined, bytes('process.exit(0);\neval(x);\nprocess.kill(1);\nModule._load = f;\n'));
    assert.equal(findings.length, 4);
    assert.equal(describeSteering(findings), 'it can steer its own test results: line 1 ends or signals a process (process.exit/kill/abort); line 2 runs code built at run time (eval, Function, vm); line 3 ends or signals a process (process.exit/kill/abort); and 1 more');
    assert.match(steeringVerdictReason(findings), /^But the change can steer its own test results \(t\.js:1 .*; and 1 more\), so this green run proves nothing: every file of this step needs your explicit decision in every approval mode\.$/);
  });
});

test('a property that shares an assertion\'s name on any other object is not an assertion', () => {
  for (const line of ['response.ok = false;', 'state.match = pattern;', 'job.fail = reason;', 'options.expect = 3;']) {
    assert.deepEqual(adding(line), [], line);
  }
});

test('an assertion module under another name is still an assertion module', () => {
  const before = "function greet(name) {\n  return `Hello, ${name}!`;\n}\n";
  for (const [head, line] of [
    ["const a = require('node:assert/strict');", 'a.equal = () => {};'],
    ["import * as check from 'assert';", 'check.deepStrictEqual = () => {};'],
    ["import chaiLib from 'chai';", 'chaiLib.expect = () => ({});'],
  ] as const) {
    const found = steeringInFile('src/greet.js', bytes(before), bytes(`${head}\n${line}\n${before}`));
    assert.deepEqual(found.map((finding) => [finding.line, finding.what]), [[2, 'replaces an assertion function']], line);
  }
  // The alias alone, and other objects' properties, are not.
  assert.deepEqual(steeringInFile('src/greet.js', bytes(before), bytes(`const a = require('node:assert');\nconst b = {};\nb.equal = 1;\n${before}`)), []);
});

test('code moved from one file to another is not new; the same code added beside the move is', () => {
  const cli = "const { main } = require('./main');\nmain();\n";
  const mainBefore = "function main() {\n  process.exit(run() ? 0 : 1);\n}\nmodule.exports = { main };\n";
  const moved = [
    { path: 'bin/cli.js', before: bytes(cli), after: bytes("function main() {\n  process.exit(run() ? 0 : 1);\n}\nmain();\n") },
    { path: 'src/main.js', before: bytes(mainBefore), after: undefined },
  ];
  assert.deepEqual(steeringInChanges(moved), []);
  const movedAndMore = [moved[0]!, { path: 'src/main.js', before: bytes(mainBefore), after: bytes('process.exit(0);\n') }];
  assert.deepEqual(steeringInChanges(movedAndMore).map((finding) => `${finding.path}:${String(finding.line)}`), ['bin/cli.js:2', 'src/main.js:1']);
});

test("the reviewer's objective checks fail steers-tests for such a change, so a review sends it back", () => {
  const checks = objectiveChecks({ owned: ['src/greet.js'], changes: [{ path: 'src/greet.js', before: bytes(base), after: bytes(`process.exit(0);\n${base}`) }] });
  const steers = checks.find((check) => check.id === 'steers-tests');
  assert.equal(steers?.ok, false);
  assert.match(steers?.detail ?? '', /src\/greet\.js:1 ends or signals a process/);
  const clean = objectiveChecks({ owned: ['src/greet.js'], changes: [{ path: 'src/greet.js', before: bytes(base), after: bytes(`// hi\n${base}`) }] });
  assert.equal(clean.find((check) => check.id === 'steers-tests')?.ok, true);
});
