import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addWorktree, listWorktrees } from '../../src/agent/verify/isolationGit';

// Seen in the unit tier: a baseline copy and a related-tests copy of one run were added at the same
// moment and one failed with "failed to read .git/worktrees/…/commondir", since each `git worktree
// add` reads every admin folder, the other's included before it is complete.
test('many verification copies added at once in one repository all succeed', { timeout: 60000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-worktree-race-'));
  try {
    const repo = join(root, 'repo');
    const git = (...args: string[]): string => execFileSync('git', ['-C', repo, '-c', 'user.email=t@plumbline.invalid', '-c', 'user.name=T', ...args], { encoding: 'utf8' });
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git('add', 'a.txt');
    git('commit', '-qm', 'a');
    const head = git('rev-parse', 'HEAD').trim();
    for (let round = 0; round < 3; round++) {
      const paths = Array.from({ length: 8 }, (_, index) => join(root, `copy-${String(round)}-${String(index)}`));
      await Promise.all(paths.map((path) => addWorktree(repo, path, head)));
      const listed = await listWorktrees(repo);
      for (const path of paths) assert.ok(listed.includes(path), `${path} is registered`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
