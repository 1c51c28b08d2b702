import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../unit/support/bundles';
import { startFake, type TempRepo } from '../unit/support/scenarioHarness';
import { startVerifySession } from '../unit/support/verifyHarness';

/** calc's suite, its first test failing with every absolute spelling of where it runs, and a file outside the workspace. */
const pathsTest = `const test = require('node:test');
const assert = require('node:assert/strict');
const { pathToFileURL } = require('node:url');
const calc = require('../src/calc');
const shared = require('../../shared/label');

test('adds two numbers', () => {
  assert.equal(calc.add(2, 3), 5, \`add broke: \${require.resolve('../src/calc')} \${pathToFileURL(__filename).href} cwd=\${process.cwd()} shared=\${shared.where}\`);
});

test('subtracts two numbers', () => {
  assert.equal(calc.subtract(7, 4), 3);
});
`;

/**
 * A git repository whose workspace is its sub-folder `app/` (calc), with `shared/label.js` beside it:
 * a verification copy of a sub-folder holds the repository's other files too, in its scratch folder.
 */
function makeSubfolderWorkspace(): TempRepo & { readonly top: string } {
  const parent = mkdtempSync(join(tmpdir(), 'plumbline-scenario-'));
  const top = join(parent, 'repo');
  const root = join(top, 'app');
  mkdirSync(join(top, 'shared'), { recursive: true });
  cpSync(join(repoRoot, 'test', 'fixtures', 'repos', 'calc'), root, { recursive: true });
  writeFileSync(join(root, 'test', 'calc.test.js'), pathsTest);
  writeFileSync(join(top, 'shared', 'label.js'), 'exports.where = __filename;\n');
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'fixture']]) {
    const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: top, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  }
  return {
    root,
    top,
    parent,
    read: (path) => readFileSync(join(root, path)),
    runDir: (runId) => join(root, '.plumbline', 'runs', runId),
    planMarkdown: (runId) => readFileSync(join(root, '.plumbline', 'runs', runId, 'plan.md'), 'utf8'),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no temporary path reaches the model, the events, the plan or the journal', () => {
  test('a failing multi-step run in a sub-folder workspace names only workspace and repository paths', { timeout: 120000 }, async () => {
    const repo = makeSubfolderWorkspace();
    const server = await startFake('verified-paths');
    const run = await startVerifySession(repo, server, { verification: { maxAttempts: 2, timeoutSeconds: 30 } });
    try {
      const { runId } = await run.start('Variadic add, then a clearer result format', 'auto');
      const finished = await run.log.waitFor('run/finished', undefined, 90000);
      assert.equal(finished.status, 'failed');
      // What the user reads at the end names the step and its failing test, where: not a count of steps.
      assert.match(finished.reason ?? '', /^Step s1 \(Variadic add\) failed: The step still failed verification after 2 attempts: New failures: adds two numbers\. (?:\(Runs: [^)]*\) )?adds two numbers \(test\/calc\.test\.js:8\): add broke: /);
      assert.match(repo.planMarkdown(runId), /## Summary of changes\n\nFailed: 1 of 2 steps done\. Step s1 \(Variadic add\) failed: /);

      // The failure really printed its paths: the workspace's and the repository's, as the user knows them.
      const failed = run.log.of('verification').find((event) => event.stepId === 's1');
      assert.ok(failed !== undefined && failed.evidence.verdict === 'failed');
      assert.match(failed.evidence.excerpt, new RegExp(`add broke: ${repo.root}/src/calc\\.js file://${repo.root}/test/calc\\.test\\.js cwd=${repo.root} shared=${repo.top}/shared/label\\.js`));
      // The Problems panel's locations name the workspace's files.
      assert.deepEqual(failed.evidence.locations.map((location) => location.file), [`${repo.root}/test/calc.test.js`]);
      const commandResult = server.requests().flatMap((request) => JSON.stringify(request.body)).find((body) => body.includes('command-output'));
      assert.ok(commandResult !== undefined, 'the worker ran the suite itself and read its output');

      // Every event, every file the run wrote (plan.md, the journal, run.json) and every request the model got.
      const texts: [string, string][] = [
        ...run.log.events.map((event, index): [string, string] => [`event ${index} (${event.type})`, JSON.stringify(event)]),
        ...filesUnder(join(repo.root, '.plumbline')).map((path): [string, string] => [path, readFileSync(path, 'utf8')]),
        ...server.requests().map((request, index): [string, string] => [`model request ${index}`, JSON.stringify(request.body)]),
      ];
      assert.ok(texts.some(([where]) => where.endsWith('plan.md')) && texts.some(([where]) => /journal/.test(where)), 'plan.md and the journal were scanned');
      const scratchParent = join(repo.parent, 'tmp');
      for (const [where, text] of texts) {
        assert.doesNotMatch(text, /plumbline-verify/, `${where} names a verification copy`);
        assert.ok(!text.includes(scratchParent), `${where} names the copies' temporary folder`);
        // The workspace lives in the temporary folder too: any other path there is the sandbox's private /tmp (a detail may end mid-path).
        const strays = [...text.matchAll(/(?<![\w.-])\/tmp\/[^\s'"\\]*/g)].map(([path]) => path.replace(/…$/, '')).filter((path) => !path.startsWith(repo.parent) && !repo.parent.startsWith(path));
        assert.deepEqual(strays, [], `${where} names a temporary path outside the workspace`);
      }
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });
});
