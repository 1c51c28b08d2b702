import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunJournal } from '../../src/agent/run/journal';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { editGreet, finish, greeterFiles, renameGreet, submitPlan } from './support/engineFixtures';
import { calls } from './support/scriptedModel';

/** Two functions far apart, so renaming `add` and its export are two hunks. */
const calc = [
  'function add(a, b) {',
  '  return a + b;',
  '}',
  '',
  'function sub(a, b) {',
  '  return a - b;',
  '}',
  '',
  'function mul(a, b) {',
  '  return a * b;',
  '}',
  '',
  'module.exports = { add, sub, mul };',
  '',
].join('\n');

const renameAdd = { id: 's1', title: 'Rename add to sum', instructions: 'Rename add to sum in src/calc.js, export included.', files: ['src/calc.js'] };
const editAdd = calls(['edit_file', { path: 'src/calc.js', patch: '-function add(a, b) {\n+function sum(a, b) {\n@@\n-module.exports = { add, sub, mul };\n+module.exports = { sum, sub, mul };' }]);

/** The suite fails when calc.js exports a name it does not define. */
function judgeCalc(files: ReadonlyMap<string, string | undefined>): TestEvidence {
  const text = files.get('src/calc.js') ?? calc;
  const exported = /module\.exports = \{ (\w+),/.exec(text)?.[1] ?? '';
  return text.includes(`function ${exported}(`) ? evidence('passed', 'The tests pass (exit code 0, 3 passed).') : evidence('failed', `New failures: ${exported} is not defined.`);
}

describe('RunEngine in process: landing', () => {
  test('part of a verified change is accepted: what landed is tested again, and a step it breaks is not reported done', async () => {
    const verifier = fakeVerifier(judgeCalc);
    const run = engineRun({
      files: { 'src/calc.js': calc },
      approve: 'end',
      script: { orchestrator: [submitPlan('Rename add.', [renameAdd])], workers: { s1: [editAdd, finish('Renamed add to sum.')] } },
      host: {
        createVerifier: verifier.create,
        // The user takes the function's rename and leaves the export as it was.
        review: (files) => {
          assert.equal(files[0]?.hunks.length, 2);
          return Promise.resolve({ decisions: [{ path: 'src/calc.js', hunks: [files[0]?.hunks[0]?.id ?? ''] }] });
        },
      },
    });
    try {
      const result = await run.run();
      assert.match(run.workspace.text('src/calc.js') ?? '', /^function sum\(a, b\) \{$/m);
      assert.match(run.workspace.text('src/calc.js') ?? '', /module\.exports = \{ add, sub, mul \};/);
      assert.deepEqual(run.of('review/decided')[0]?.applied, [{ path: 'src/calc.js', hunks: 1, of: 2 }]);
      assert.equal(verifier.landedVerifications, 1, 'what landed was tested again');
      const landed = run.of('verification').at(-1);
      assert.equal(landed?.stepId, undefined);
      assert.equal(landed?.evidence.verdict, 'failed');
      assert.equal(result.status, 'failed');
      assert.equal(result.reason, 'Step s1 (Rename add to sum) failed: What you accepted of this step fails the tests: New failures: add is not defined.');
      assert.match(run.planMarkdown(), /What you accepted does not pass the tests: New failures: add is not defined\. s1 is not done/);
    } finally {
      run.remove();
    }
  });

  test('one change set end to end: the changes event, the review and landing share hunk ids; unknown ids and paths are ignored and reported', async () => {
    let offered: string[] = [];
    const run = engineRun({
      files: { 'src/calc.js': calc },
      approve: 'end',
      script: { orchestrator: [submitPlan('Rename add.', [renameAdd])], workers: { s1: [editAdd, finish('Renamed add to sum.')] } },
      host: {
        review: (files) => {
          offered = files.flatMap((file) => file.hunks.map((hunk) => hunk.id));
          // The second hunk (the export) by its id, plus an id and a file this review never offered.
          return Promise.resolve({ decisions: [{ path: 'src/calc.js', hunks: [offered[1] ?? '', 'src/calc.js#1,1+1,1~00000000'] }, { path: 'src/other.js', hunks: 'all' }] });
        },
      },
    });
    try {
      await run.run();
      assert.equal(offered.length, 2);
      assert.deepEqual(run.of('changes')[0]?.files.flatMap((file) => file.hunks.map((hunk) => hunk.id)), offered, 'the event named the same hunks');
      assert.match(run.workspace.text('src/calc.js') ?? '', /^function add\(a, b\) \{$/m);
      assert.match(run.workspace.text('src/calc.js') ?? '', /module\.exports = \{ sum, sub, mul \};/);
      const [decided] = run.of('review/decided');
      assert.deepEqual(decided?.applied, [{ path: 'src/calc.js', hunks: 1, of: 2 }]);
      assert.deepEqual(decided?.ignored, ['src/other.js', 'src/calc.js#1,1+1,1~00000000']);
    } finally {
      run.remove();
    }
  });

  test('no sandbox and "review first": nothing runs before the review, what the user accepted is tested after it lands', async () => {
    const verifier = fakeVerifier(judgeCalc);
    let reviewed = 0;
    const run = engineRun({
      files: { 'src/calc.js': calc },
      approve: 'end',
      options: { unsandboxed: 'review-first' },
      script: { orchestrator: [submitPlan('Rename add.', [renameAdd])], workers: { s1: [editAdd, finish('Renamed add to sum.')] } },
      host: {
        createVerifier: verifier.create,
        sandbox: Promise.resolve({ kind: 'none', reason: 'No sandbox in this test.', remedy: 'Install one.' }),
        review: (files) => {
          reviewed += 1;
          return Promise.resolve({ decisions: files.map((file) => ({ path: file.path, hunks: 'all' as const })) });
        },
      },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.equal(reviewed, 1);
      const step = run.of('verification').find((event) => event.stepId === 's1');
      assert.equal(step?.evidence.verdict, 'unverified');
      assert.match(step?.evidence.reason ?? '', /^Not run before your review: No sandbox in this test\./);
      assert.equal(verifier.landedVerifications, 1);
      assert.match(run.planMarkdown(), /After your review, on what landed: The tests pass/);
    } finally {
      run.remove();
    }
  });

  test('auto mode without a sandbox and with "review first": changes land, and the plan says they are unverified', async () => {
    const verifier = fakeVerifier(judgeCalc);
    const run = engineRun({
      files: { 'src/calc.js': calc },
      options: { unsandboxed: 'review-first' },
      script: { orchestrator: [submitPlan('Rename add.', [renameAdd])], workers: { s1: [editAdd, finish('Renamed add to sum.')] } },
      host: { createVerifier: verifier.create, sandbox: Promise.resolve({ kind: 'none', reason: 'No sandbox in this test.', remedy: 'Install one.' }) },
    });
    try {
      const result = await run.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.equal(verifier.landedVerifications, 0, 'nothing runs on changes nobody reviewed');
      assert.match(run.planMarkdown(), /Not verified: there is no sandbox and the changes were applied without review \(auto\)/);
    } finally {
      run.remove();
    }
  });

  test('auto mode holds back a file that runs code and asks about it alone; unanswered, it stays unapplied', async () => {
    const addScript = { id: 's1', title: 'Add a test script', instructions: 'Add a "test" script to package.json.', files: ['package.json'] };
    const asked: string[][] = [];
    const run = engineRun({
      files: { 'package.json': '{\n  "name": "demo"\n}\n' },
      script: {
        orchestrator: [submitPlan('Add a test script.', [addScript])],
        workers: { s1: [calls(['edit_file', { path: 'package.json', patch: '-  "name": "demo"\n+  "name": "demo",\n+  "scripts": { "test": "node --test" }' }]), finish('Added the script.')] },
      },
      host: {
        review: (files) => {
          asked.push(files.map((file) => file.path));
          return Promise.reject(new Error('no terminal to ask on'));
        },
      },
    });
    try {
      const result = await run.run();
      assert.deepEqual(asked, [['package.json']]);
      assert.deepEqual(result.applied, []);
      assert.equal(run.workspace.text('package.json'), '{\n  "name": "demo"\n}\n');
      assert.match(run.planMarkdown(), /Left unapplied, waiting for your approval \(they run code\): package\.json/);
    } finally {
      run.remove();
    }
  });
});

describe('RunEngine in process: resume', () => {
  test('an apply that fails leaves the run resumable; resumed from its journal, it lands the staged work without redoing the step', async () => {
    const first = engineRun({
      files: greeterFiles,
      script: { orchestrator: [submitPlan('Rename greet.', [renameGreet])], workers: { s1: [editGreet, finish('Renamed greet.')] } },
      host: { apply: () => Promise.reject(new Error('ENOSPC: no space left on device.')) },
    });
    try {
      const failed = await first.run();
      assert.equal(failed.status, 'failed');
      assert.match(failed.reason ?? '', /^ENOSPC: no space left on device\. Free some disk space \(or fix the cause\), then resume the run/);
      assert.notEqual(first.journal().at(-1)?.kind, 'finished', 'the journal stays open');
      assert.equal(first.workspace.text('src/greet.js'), greeterFiles['src/greet.js']);

      const recovered = await RunJournal.recover(first.root, first.runId);
      assert.equal(recovered.finished, false);
      const resumed = engineRun({ script: { orchestrator: [] } }, { from: first, recovered });
      const result = await resumed.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(result.applied, ['src/greet.js']);
      assert.match(first.workspace.text('src/greet.js') ?? '', /function welcome/);
      assert.equal(resumed.model.requests.length, 0, 'no model call: the step was already done and staged');
      assert.match(resumed.planMarkdown(), /Resumed after the agent server stopped/);
      assert.equal(resumed.journal().at(-1)?.kind, 'finished');
    } finally {
      first.remove();
    }
  });
});
