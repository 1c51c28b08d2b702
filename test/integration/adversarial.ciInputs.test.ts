import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli, startFake } from '../unit/support/scenarioHarness';
import { checkoutState, ciTestFlags, git, makeCiWorld } from '../unit/support/ciHarness';

// Hostile inputs to plumbline run --ci: refused before anything runs (exit 2), the checkout untouched.
test('run --ci refuses hostile inputs clearly: a huge event, other events, a comment without /plumbline, branch names that are options or ranges, a dirty tree, an existing branch', { timeout: 120000 }, async () => {
  const world = makeCiWorld('calc');
  const server = await startFake('ci-branch');
  try {
    const before = checkoutState(world.root);
    const ci = (args: readonly string[], event?: { name: string; payload: unknown }) => spawnCli(['run', '--ci', '--cwd', world.root, ...ciTestFlags, ...args], world.env(server, event)).done;

    const huge = await ci([], { name: 'issues', payload: { issue: { number: 1, title: 'x', body: 'A'.repeat(2 * 1024 * 1024) } } });
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /the GitHub event payload \(GITHUB_EVENT_PATH\) is \d+ bytes, more than the 1048576 bytes Plumbline reads; it is refused/);
    const longBody = await ci([], { name: 'issues', payload: { issue: { number: 1, title: 'x', body: 'A'.repeat(70_000) } } });
    assert.equal(longBody.code, 2);
    assert.match(longBody.stderr, /issue\.body: the issue's body is longer than 65536 characters/);
    const push = await ci([], { name: 'push', payload: { ref: 'refs/heads/main' } });
    assert.equal(push.code, 2);
    assert.match(push.stderr, /the GitHub event "push" carries no task/);
    const chatter = await ci([], { name: 'issue_comment', payload: { issue: { number: 3, title: 't', body: null }, comment: { body: 'nice work /plumbline' } } });
    assert.equal(chatter.code, 2);
    assert.match(chatter.stderr, /the comment on #3 does not start with \/plumbline/);
    const notJson = await ci([], { name: 'issues', payload: '{"issue": ' });
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /is not JSON/);
    const noTask = await spawnCli(['run', '--ci', '--cwd', world.root], { ...world.env(server), GITHUB_EVENT_PATH: '' }).done;
    assert.equal(noTask.code, 2);
    assert.match(noTask.stderr, /run --ci needs a task/);

    for (const name of ['--upload-pack=touch /tmp/x', '-x', 'a..b', '../escape', 'plumbline/.hidden', 'x.lock', 'HEAD', 'has space', 'new\nline']) {
      const refused = await ci(['Add square', `--commit-branch=${name}`]);
      assert.equal(refused.code, 2, `${JSON.stringify(name)}: ${refused.stderr}`);
      assert.match(refused.stderr, /--commit-branch .*: (a branch name|HEAD is not)/);
    }
    const approve = await ci(['Add square', '--approve', 'auto']);
    assert.equal(approve.code, 2);
    assert.match(approve.stderr, /leave out --approve/);
    const reviewFirst = await ci(['Add square', '--unsandboxed', 'review-first']);
    assert.equal(reviewFirst.code, 2);
    const misplaced = await spawnCli(['run', 'Add square', '--cwd', world.root, '--commit-branch', 'plumbline/x'], world.env(server)).done;
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /--commit-branch goes with "plumbline run --ci"/);
    assert.deepEqual(checkoutState(world.root), before, 'nothing was touched by any refusal');

    // The run itself refuses a branch that exists and a tree whose tracked files are not HEAD's (exit 1, verdict failed, said why).
    git(world.root, 'branch', 'plumbline/taken');
    const taken = await ci(['Add square', '--commit-branch', 'plumbline/taken']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /The branch plumbline\/taken exists already/);
    assert.equal(git(world.root, 'rev-parse', 'plumbline/taken').trim(), before.head, 'the existing branch was not moved');
    writeFileSync(join(world.root, 'src', 'calc.js'), 'changed by the user\n');
    const dirty = await ci(['Add square']);
    assert.equal(dirty.code, 1);
    assert.match(dirty.stderr, /The working tree has changes that are not committed \(src\/calc\.js\)/);
    assert.equal(git(world.root, 'for-each-ref', '--format=%(refname)', 'refs/heads/plumbline/2*').trim(), '', 'no branch was created');
  } finally {
    await server.close();
    world.remove();
  }
});
