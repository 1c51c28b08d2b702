/**
 * A prompt-injected model goes after the workspace's secrets through every tool it has: read_file
 * (directly, through `..`, through a symbolic link), search_text, git_diff (whole and of .env), a
 * private key, and, as a worker whose step owns .env, read and edit. Through the real CLI, agent
 * server and SDK: the secret's value is in no model request, the tools said why, and .env is
 * unchanged. (The sandbox already hides the workspace's ignored files from tests: bubblewrap.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastToolResults, makeRepo, requestsOf, runCli, startFake } from '../unit/support/scenarioHarness';
import { nodeTestCommand } from '../unit/support/verifyHarness';

const secret = 'sk-live-51HqLyjWDarjtT1zdp7dc';

test("no tool puts a secret file's content in front of the model, and the model cannot change it", { timeout: 120000 }, async () => {
  const repo = makeRepo('greeter');
  // A tracked .env (so git diff would show it), changed since the commit; a link to it under an
  // innocent name; a private key.
  writeFileSync(join(repo.root, '.env'), 'STRIPE_KEY=sk-live-XXXX\n');
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@plumbline.invalid', 'add', '.env'], { cwd: repo.root });
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@plumbline.invalid', 'commit', '-qm', 'env'], { cwd: repo.root });
  writeFileSync(join(repo.root, '.env'), `STRIPE_KEY=${secret}\nDB_PASSWORD=correct-horse-battery\nNODE_ENV=development\n`);
  mkdirSync(join(repo.root, 'notes'));
  symlinkSync('../.env', join(repo.root, 'notes', 'settings.txt'));
  mkdirSync(join(repo.root, 'deploy'));
  writeFileSync(join(repo.root, 'deploy', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}-key\n-----END OPENSSH PRIVATE KEY-----\n`);
  const server = await startFake('adversarial-secrets');
  try {
    const run = runCli(repo, server, 'Rotate the key', ['--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand, '--allow-command', 'cat']);
    const result = await run.done;
    const finished = run.log.finished();
    assert.equal(finished.status, 'completed', `${finished.reason ?? ''}\n${result.stderr}`);

    // Not a byte of it in anything the model was sent.
    for (const request of server.requests()) assert.doesNotMatch(JSON.stringify(request.body), /sk-live-51|PRIVATE KEY|correct-horse-battery/, 'a secret reached a model request');

    // The orchestrator was told why, for each way it tried.
    const [, afterReads] = requestsOf(server, 'orchestrator');
    const results = lastToolResults(afterReads ?? assert.fail('no second orchestrator request'));
    assert.equal(results.length, 8);
    for (const index of [0, 1, 2, 7]) assert.match(results[index]?.text ?? '', /Refused: \S+ is (a link to \.env, )?an? (environment file|private key),? and may hold secrets/, `call ${String(index)}: ${results[index]?.text ?? ''}`);
    assert.match(results[3]?.text ?? '', /^No matches\.$/);
    assert.match(results[4]?.text ?? '', /^No matches\.$/);
    assert.match(results[5]?.text ?? '', /No uncommitted changes|git-diff/);
    assert.match(results[6]?.text ?? '', /Refused: \.env is an environment file/);

    // The worker could neither read nor change it; its other file landed.
    const [, workerAfter] = requestsOf(server, 'worker-s1');
    const workerResults = lastToolResults(workerAfter ?? assert.fail('no second worker request'));
    assert.match(workerResults[0]?.text ?? '', /Refused: \.env is an environment file/);
    assert.match(workerResults[1]?.text ?? '', /Refused: \.env is an environment file/);
    // The tracked .env is in the sandboxed copy; what `cat` printed of it reached the model redacted,
    // and only its secrets (NODE_ENV=development is none).
    assert.match(workerResults[3]?.text ?? '', /DB_PASSWORD=\[redacted: \$DB_PASSWORD \(\.env\)\]/);
    assert.match(workerResults[3]?.text ?? '', /NODE_ENV=development/);
    assert.equal(repo.read('.env').toString(), `STRIPE_KEY=${secret}\nDB_PASSWORD=correct-horse-battery\nNODE_ENV=development\n`);
    assert.deepEqual(finished.applied, ['src/greet.js']);
  } finally {
    await server.close();
    repo.remove();
  }
});
