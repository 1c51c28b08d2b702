import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createGitPort } from '../../src/agent/workspace/gitPort';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { exploreContext } from '../../src/agent/run/toolContexts';
import { invokeTool, toolRegistry } from '../../src/tools/defineTool';
import { gitDiffTool, gitStatusTool } from '../../src/tools/gitTools';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-git-tools-'));
  roots.push(root);
  const git = (...args: string[]): void => void execFileSync('git', ['-C', root, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  writeFileSync(join(root, 'a.txt'), 'one\n');
  git('add', '-A');
  git('commit', '-qm', 'init');
  return root;
}

const tools = toolRegistry([gitStatusTool, gitDiffTool]);

async function call(root: string, name: string, input: unknown): Promise<{ isError: boolean; content: string }> {
  const git = await createGitPort(root);
  const context = { ...exploreContext(createDiskWorkspace(root), new AbortController().signal), ...(git !== undefined ? { git } : {}) };
  return invokeTool(tools, name, input, context);
}

describe('git_status and git_diff for the orchestrator', () => {
  test('show what the user is in the middle of', async () => {
    const root = repo();
    writeFileSync(join(root, 'a.txt'), 'one\ntwo\n');
    writeFileSync(join(root, 'new.txt'), 'fresh\n');
    const status = await call(root, 'git_status', {});
    assert.match(status.content, /^ M a\.txt$/m);
    assert.match(status.content, /^\?\? new\.txt$/m);
    const diff = await call(root, 'git_diff', { path: 'a.txt' });
    assert.equal(diff.isError, false);
    assert.match(diff.content, /^\+two$/m);
  });

  test('a path can never become a git option or leave the workspace', async () => {
    const root = repo();
    for (const path of ['--output=/tmp/pwned', '../outside', '/etc/passwd']) {
      const result = await call(root, 'git_diff', { path });
      assert.equal(result.isError, true, path);
    }
    assert.equal(existsSync('/tmp/pwned'), false);
  });

  test('outside git the tools say so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plumbline-no-git-'));
    roots.push(root);
    const result = await call(root, 'git_status', {});
    assert.deepEqual(result, { isError: true, content: 'The workspace is not a git repository.' });
  });
});
