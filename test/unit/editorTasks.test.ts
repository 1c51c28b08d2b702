import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { scopeNote } from '../../src/agent/run/orchestrator';
import { runStartParamsSchema } from '../../src/protocol/run';
import { testsRunRequest } from '../../src/protocol/methods';
import { refuseWhenRestricted, restrictedModeMessage, manageTrustCommand, manageTrustLabel } from '../../src/client/restrictedMode';
import { composeFixTask, composeRefactorTask, maxSelectedChars } from '../../src/client/runs/taskText';
import { mapTestLocation } from '../../src/client/runs/testLocations';
import type { TestEvidence } from '../../src/protocol/testEvidence';

describe('a run scoped to a selection', () => {
  test('run/start accepts an optional scope and refuses a malformed one', () => {
    const parsed = runStartParamsSchema.parse({ task: 'Tidy', scope: { path: 'src/a.ts', startLine: 3, endLine: 7 } });
    assert.deepEqual(parsed.scope, { path: 'src/a.ts', startLine: 3, endLine: 7 });
    assert.equal(runStartParamsSchema.parse({ task: 'Tidy' }).scope, undefined);
    for (const scope of [{ path: 'a', startLine: 0, endLine: 1 }, { path: 'a', startLine: 5, endLine: 2 }, { path: '', startLine: 1, endLine: 1 }, { path: 'a', startLine: 1, endLine: 2, extra: 1 }]) {
      assert.equal(runStartParamsSchema.safeParse({ task: 'Tidy', scope }).success, false, JSON.stringify(scope));
    }
  });

  test('the orchestrator is told the scope in one line, and nothing when there is none', () => {
    assert.equal(scopeNote(undefined), '');
    const note = scopeNote({ path: 'src/"odd".ts', startLine: 3, endLine: 7 });
    assert.equal(note.split('\n').filter((line) => line !== '').length, 1);
    assert.match(note, /^<scope path="src\/&#34;odd&#34;\.ts" lines="3-7">/);
  });

  test('the task names the file and lines, and carries the selected code fenced', () => {
    const task = composeRefactorTask({ instruction: ' Extract a helper ', scope: { path: 'src/a.ts', startLine: 3, endLine: 7 }, languageId: 'typescript', text: 'const a = `x`;\n', wholeFile: false });
    assert.equal(task.split('\n')[0], 'Extract a helper (in src/a.ts, lines 3-7)');
    assert.match(task, /The selected code \(src\/a\.ts, lines 3-7\):\n```typescript\nconst a = `x`;\n```$/);
    const whole = composeRefactorTask({ instruction: 'Tidy', scope: { path: 'b.js', startLine: 1, endLine: 2 }, languageId: 'javascript', text: '```\n', wholeFile: true });
    assert.equal(whole.split('\n')[0], 'Tidy (in b.js)');
    assert.match(whole, /````javascript\n```\n````/, 'the fence outgrows backticks inside the code');
    const long = composeRefactorTask({ instruction: 'Tidy', scope: { path: 'c.js', startLine: 1, endLine: 9 }, languageId: 'javascript', text: 'x'.repeat(maxSelectedChars + 50), wholeFile: false });
    assert.match(long, /first 12000 characters; read the file for the rest/);
    assert.ok(long.length < maxSelectedChars + 300);
  });
});

const failing: TestEvidence = {
  verdict: 'failed',
  reason: 'Some tests fail before the run.',
  command: 'npm test',
  exitCode: 1,
  failed: 1,
  total: 3,
  durationMs: 10,
  excerpt: 'not ok 1 - adds\n  expected 3, got 4',
  newFailures: [],
  preexistingFailures: ['adds'],
  locations: [{ name: 'adds', file: '/tmp/plumbline-verify/plumbline-verify-12-AbC/test/calc.test.js', line: 7, message: 'Expected values to be strictly equal:\n3 !== 4' }],
};

describe('Fix Failing Tests', () => {
  test('the task names the failing tests, where and why they failed, and the output', () => {
    const task = composeFixTask(failing);
    assert.equal(task.split('\n')[0], 'Make the failing tests pass: adds.');
    assert.match(task, /`npm test` failed \(exit code 1, 1 failed of 3\)/);
    assert.match(task, /- adds \(\/tmp\/plumbline-verify\/plumbline-verify-12-AbC\/test\/calc\.test\.js:7\): Expected values to be strictly equal:$/m);
    assert.match(task, /```text\nnot ok 1 - adds/);
  });

  test('many failures are counted, not all listed', () => {
    const names = Array.from({ length: 25 }, (_value, index) => `t${String(index)}`);
    const task = composeFixTask({ ...failing, preexistingFailures: names, locations: [] });
    assert.equal(task.split('\n')[0], 'Make the failing tests pass: t0, t1, t2 and 22 more.');
    assert.match(task, /- … and 5 more/);
  });

  test('plumbline/tests/run takes no params and returns evidence', () => {
    assert.equal(testsRunRequest.params.safeParse({ extra: 1 }).success, false);
    assert.equal(testsRunRequest.result.safeParse({ evidence: failing }).success, true);
  });
});

describe('failing-test locations in the Problems panel', () => {
  const root = join('/', 'work', 'project');
  const everything = (): boolean => true;

  test('a path in the isolated copy maps to the workspace folder', () => {
    assert.equal(mapTestLocation('/tmp/plumbline-verify/plumbline-verify-12-AbC/test/calc.test.js', root, everything), join(root, 'test', 'calc.test.js'));
    assert.equal(mapTestLocation('file:///tmp/plumbline-verify/plumbline-verify-12-AbC/test/calc.test.js', root, everything), join(root, 'test', 'calc.test.js'));
  });

  test('a git worktree copy holds the folder below the repository top: the existing file wins', () => {
    const exists = (path: string): boolean => path === join(root, 'test', 'a.test.js');
    assert.equal(mapTestLocation('/tmp/x/plumbline-verify-3-Zz/packages/project/test/a.test.js', root, exists), join(root, 'test', 'a.test.js'));
  });

  test('relative paths are the folder\'s; absolute ones inside it stay', () => {
    assert.equal(mapTestLocation('test/a.test.js', root, everything), join(root, 'test', 'a.test.js'));
    assert.equal(mapTestLocation(join(root, 'src', 'a.js'), root, everything), join(root, 'src', 'a.js'));
  });

  test('what lands outside the folder is dropped', () => {
    for (const outside of ['/usr/lib/node_modules/x.js', '../elsewhere/a.js', 'node:internal/test_runner', '', '/tmp/plumbline-verify/plumbline-verify-12-AbC', '/tmp/plumbline-verify/plumbline-verify-12-AbC/../../etc/passwd']) {
      const mapped = mapTestLocation(outside, root, everything);
      assert.ok(mapped === undefined || mapped.startsWith(`${root}/`), `${outside} → ${String(mapped)}`);
    }
    assert.equal(mapTestLocation('/usr/lib/node_modules/x.js', root, everything), undefined);
    assert.equal(mapTestLocation('../elsewhere/a.js', root, everything), undefined);
    assert.equal(mapTestLocation('node:internal/test_runner', root, () => false), undefined, 'no such file in the folder');
  });
});

describe('Restricted Mode on the client', () => {
  test('a trusted workspace is not refused and nothing is shown', async () => {
    const shown: string[] = [];
    const refused = await refuseWhenRestricted({ isTrusted: true, warn: (message) => (shown.push(message), Promise.resolve(undefined)), execute: () => Promise.resolve() });
    assert.deepEqual([refused, shown], [false, []]);
  });

  test('an untrusted one is refused with the message, and the button opens the trust editor', async () => {
    const shown: string[][] = [];
    const ran: string[] = [];
    let answer: (choice: string | undefined) => void = () => undefined;
    const answered = new Promise<string | undefined>((resolve) => (answer = resolve));
    let click: (choice: string) => void = () => undefined;
    const refused = await refuseWhenRestricted(
      {
        isTrusted: false,
        warn: (message, ...actions) => (shown.push([message, ...actions]), new Promise<string>((resolve) => (click = resolve))),
        execute: (command) => (ran.push(command), Promise.resolve()),
      },
      answer,
    );
    assert.equal(refused, true, 'refused without waiting for the user');
    assert.deepEqual(ran, []);
    click(manageTrustLabel);
    assert.equal(await answered, manageTrustLabel);
    assert.deepEqual(shown, [[restrictedModeMessage, manageTrustLabel]]);
    assert.deepEqual(ran, [manageTrustCommand]);
    assert.equal(restrictedModeMessage, 'Plumbline is paused in Restricted Mode: it runs tests and model-chosen code. Trust this workspace to start tasks.');
  });
});
