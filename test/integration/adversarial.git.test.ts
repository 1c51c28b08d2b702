import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { exploreContext } from '../../src/agent/run/toolContexts';
import { addWorktree } from '../../src/agent/verify/isolationGit';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { createGitPort, refuseGitOption } from '../../src/agent/workspace/gitPort';
import { invokeTool, toolRegistry } from '../../src/tools/defineTool';
import { gitDiffTool, gitStatusTool } from '../../src/tools/gitTools';

const bases: string[] = [];
after(() => {
  for (const base of bases) rmSync(base, { recursive: true, force: true });
});

/** A repository in `base/repo`, whose config and .gitattributes try to make git run programs; `base/pwned-*` are the tripwires. */
function repo(): { root: string; base: string; tripwires: () => string[] } {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-git-adversarial-'));
  bases.push(base);
  const root = join(base, 'repo');
  mkdirSync(root);
  const git = (...args: string[]): void => void execFileSync('git', ['-C', root, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  writeFileSync(join(root, 'a.txt'), 'one\n');
  writeFileSync(join(root, '.gitattributes'), 'a.txt diff=evil\n');
  git('add', '-A');
  git('commit', '-qm', 'init');
  // What a hostile repository (or a model that wrote its config) would set up.
  git('config', 'diff.evil.textconv', `sh -c 'touch ${join(base, 'pwned-textconv')}; cat "$0"'`);
  git('config', 'core.pager', `touch ${join(base, 'pwned-pager')}`);
  git('config', 'core.fsmonitor', `touch ${join(base, 'pwned-fsmonitor')}`);
  git('config', 'diff.external', `touch ${join(base, 'pwned-external')}`);
  writeFileSync(join(root, 'a.txt'), 'one\ntwo\n');
  return { root, base, tripwires: () => ['textconv', 'pager', 'fsmonitor', 'external', 'output', 'upload'].filter((name) => existsSync(join(base, `pwned-${name}`))) };
}

const tools = toolRegistry([gitStatusTool, gitDiffTool]);

async function call(root: string, name: string, input: unknown): Promise<{ isError: boolean; content: string }> {
  const git = await createGitPort(root);
  const context = { ...exploreContext(createDiskWorkspace(root), new AbortController().signal), ...(git !== undefined ? { git } : {}) };
  return invokeTool(tools, name, input, context);
}

describe('adversarial: no model or user string reaches git as an option', () => {
  test('git_diff refuses option-like paths (--output, -c core.pager, --upload-pack) with a clear message, and nothing runs', async () => {
    const { root, base, tripwires } = repo();
    const attempts = [
      `--output=${join(base, 'pwned-output')}`,
      `-c core.pager=touch ${join(base, 'pwned-pager')}`,
      `--upload-pack=touch ${join(base, 'pwned-upload')}`,
      ` --output=${join(base, 'pwned-output')}`,
      '-p',
    ];
    for (const path of attempts) {
      const result = await call(root, 'git_diff', { path });
      assert.equal(result.isError, true, path);
      assert.match(result.content, /starts with "-", which git would read as an option; it was refused\./, path);
    }
    assert.deepEqual(tripwires(), []);
  });

  test("the repository's own config cannot make git_status or git_diff run a program (textconv, pager, fsmonitor, external diff)", async () => {
    const { root, tripwires } = repo();
    const status = await call(root, 'git_status', {});
    assert.match(status.content, /^ M a\.txt$/m);
    const diff = await call(root, 'git_diff', { path: 'a.txt' });
    assert.equal(diff.isError, false, diff.content);
    assert.match(diff.content, /^\+two$/m);
    assert.deepEqual(tripwires(), []);
  });

  test('pathspec magic is read literally: :(top), :! and globs name files, not patterns', async () => {
    const { root } = repo();
    for (const path of [':(top)a.txt', ':!b.txt', '*.txt']) {
      const result = await call(root, 'git_diff', { path });
      assert.equal(result.isError, false, path);
      assert.equal(result.content, 'No uncommitted changes.', `${path} matched nothing, literally`);
    }
  });

  test('worktree creation refuses a ref or a path that could be an option', async () => {
    const { root } = repo();
    await assert.rejects(addWorktree(root, join(tmpdir(), 'x'), '--upload-pack=touch /tmp/x'), /Refused worktree arguments/);
    await assert.rejects(addWorktree(root, '-c', '0'.repeat(40)), /Refused worktree arguments/);
    assert.throws(() => refuseGitOption('--output=/tmp/x', 'The ref'), /The ref "--output=\/tmp\/x" starts with "-"/);
    assert.equal(refuseGitOption('src/-notes.md', 'The path'), 'src/-notes.md', 'a dash inside a path is fine');
  });
});
