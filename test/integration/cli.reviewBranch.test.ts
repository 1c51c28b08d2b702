import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { branchRepo, calcBase, calcBranch, notesBase, notesBranch, type BranchRepo } from '../unit/support/branchRepo';
import { bundle } from '../unit/support/bundles';

/**
 * `plumbline review-branch` through the built CLI and server, on a repository holding a branch made
 * as `plumbline run --ci` makes one: listing, the terminal's hunk-by-hunk review (on a real
 * pseudo-terminal, `script`), `--json`, a hostile name, and `plumbline undo` of the review.
 */

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const branch = 'plumbline/20261207-101500-ab12';

function repo(): BranchRepo {
  const made = branchRepo('plumbline-cli-review-branch-');
  roots.push(made.root);
  made.commitBranch(branch, '20261207-101500-ab12', [
    { title: 'Rename add to sum and check sub', step: 's1', files: { 'src/calc.js': calcBranch, 'notes.txt': notesBranch } },
    { title: 'Document the calculator', step: 's2', files: { 'docs/calc.md': '# calc\n' } },
  ]);
  return made;
}

const cli = (args: readonly string[]) => spawnSync(process.execPath, [bundle('cli.js'), ...args], { encoding: 'utf8', timeout: 30000, env: { ...process.env, NO_COLOR: '1' } });

/** Runs the CLI on a pseudo-terminal and answers each review question in turn. */
function onTerminal(args: readonly string[], answers: readonly string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, bundle('cli.js'), ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  let answered = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const asked = (output.match(/\[q\]uit /g) ?? []).length;
    while (answered < asked) child.stdin.write(`${answers[answered++] ?? 'n'}\r`);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('plumbline review-branch', () => {
  test('lists the branches with run id, verdict, steps and age; --json gives the same as data', () => {
    const made = repo();
    const listed = cli(['review-branch', '--cwd', made.root]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /plumbline\/20261207-101500-ab12 {2}run 20261207-101500-ab12 {2}verified {2}2 steps, 3 files {2}just now/);
    assert.match(listed.stdout, /s1 Rename add to sum and check sub \(tests: 3 passed, 0 failed; npm test; 1\.2 s\)/);
    const json = cli(['review-branch', '--json', '--cwd', made.root]);
    const parsed = JSON.parse(json.stdout) as { branches: { name: string; runId: string; steps: unknown[] }[] };
    assert.deepEqual(parsed.branches.map((entry) => [entry.name, entry.runId, entry.steps.length]), [[branch, '20261207-101500-ab12', 2]]);
  });

  test('on a terminal: one hunk accepted and one rejected land exactly; plumbline undo restores the bytes', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1) for a pseudo-terminal' }, async () => {
    const made = repo();
    // Files in path order: docs/calc.md (1 hunk), notes.txt (1), src/calc.js (2): the last one rejected.
    const { code, output } = await onTerminal(['review-branch', branch, '--cwd', made.root], ['y', 'y', 'y', 'n']);
    assert.equal(code, 0, output);
    assert.match(output, /applied src\/calc\.js \(1 of 2 hunks\)/);
    assert.equal(readFileSync(join(made.root, 'src/calc.js'), 'utf8'), calcBase.replace('function add(a, b) {', 'function sum(a, b) {'));
    assert.equal(readFileSync(join(made.root, 'notes.txt'), 'utf8'), notesBranch);
    assert.equal(made.git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
    const runs = JSON.parse(cli(['runs', '--json', '--cwd', made.root]).stdout) as { runId: string; task: string }[];
    const review = runs.find((run) => run.task === `Review branch ${branch}`);
    assert.ok(review !== undefined, 'the review is in the run history');
    const undone = cli(['undo', review.runId, '--cwd', made.root]);
    assert.equal(undone.status, 0, undone.stderr);
    assert.equal(readFileSync(join(made.root, 'src/calc.js'), 'utf8'), calcBase);
    assert.ok(readFileSync(join(made.root, 'notes.txt')).equals(Buffer.from(notesBase)), 'notes.txt byte-exact');
    assert.equal(existsSync(join(made.root, 'docs/calc.md')), false);
    assert.equal(made.git('status', '--porcelain'), '');
  });

  test('--json: the plan and the change as events, nothing applied; a file the user changed is offered over their version', () => {
    const made = repo();
    writeFileSync(join(made.root, 'src/calc.js'), calcBase.replace('  return a - b;', '  return b > a ? 0 : a - b;'));
    const result = cli(['review-branch', branch, '--json', '--cwd', made.root]);
    assert.equal(result.status, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; files?: { path: string; hunks: unknown[] }[]; plan?: { steps: { id: string }[]; notes: string[] } });
    const changes = events.find((event) => event.type === 'changes');
    assert.deepEqual(changes?.files?.map((file) => [file.path, file.hunks.length]), [['docs/calc.md', 1], ['notes.txt', 1], ['src/calc.js', 1]]);
    const plan = events.filter((event) => event.type === 'plan/updated').at(-1)?.plan;
    assert.deepEqual(plan?.steps.map((step) => step.id), ['s1', 's2']);
    assert.match(plan?.notes.join('\n') ?? '', /You changed src\/calc\.js since the branch left your history/);
    assert.equal(events.at(-1)?.type, 'run/finished');
    assert.equal(readFileSync(join(made.root, 'notes.txt'), 'utf8'), notesBase, 'a dry run applies nothing');
  });

  test('a hostile or missing name is a usage error or a clear refusal, and git never sees it as an option', () => {
    const made = repo();
    for (const name of ['--upload-pack=touch /tmp/plumbline-pwned', 'plumbline/-x', 'plumbline/a..b', 'main']) {
      const result = cli(['review-branch', '--cwd', made.root, '--', name]);
      assert.equal(result.status, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, /plumbline: (cannot review|Unknown option)/);
    }
    const missing = cli(['review-branch', 'plumbline/nothing-here', '--json', '--cwd', made.root]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /There is no branch plumbline\/nothing-here here/);
    assert.equal(existsSync('/tmp/plumbline-pwned'), false);
  });
});
