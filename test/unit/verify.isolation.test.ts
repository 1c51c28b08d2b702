import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { acquireRunLock } from '../../src/agent/run/runStore';
import { cleanupStaleIsolations, createIsolatedWorkspace, IsolationError, prepareIsolation, type IsolatedWorkspace } from '../../src/agent/verify/isolatedWorkspace';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';

const posix = process.platform !== 'win32';
// GIT_OPTIONAL_LOCKS=0: the test's own `git status` must not refresh (rewrite) the index it compares.
// GIT_DIR and friends (set when tests run from a hook) must not redirect the test's own calls.
const ambient = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toUpperCase().startsWith('GIT_')));
const gitEnv = { ...ambient, GIT_OPTIONAL_LOCKS: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function put(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function initRepo(folder: string): void {
  mkdirSync(folder, { recursive: true });
  git(folder, 'init', '-q', '-b', 'main');
  for (const [key, value] of [['user.name', 'Test'], ['user.email', 'test@example.com'], ['commit.gpgsign', 'false']] as const) git(folder, 'config', key, value);
}

function commitAll(folder: string, message: string): void {
  git(folder, 'add', '-A');
  git(folder, 'commit', '-q', '-m', message);
}

/** Every file under `folder` with its text; links as `-> target`, not descended; .git left out. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const key = relative(folder, path).split('\\').join('/');
      if (entry.name === '.git') continue;
      if (entry.isSymbolicLink()) files[key] = `-> ${readlinkSync(path)}`;
      else if (entry.isDirectory()) walk(path);
      else files[key] = readFileSync(path, 'utf8');
    }
  };
  walk(folder);
  return files;
}

/** What the user's repository is: none of it may change. */
function repoState(repo: string): Record<string, string> {
  const index = readFileSync(join(repo, '.git', 'index')).toString('base64'); // before any git call below
  return {
    index,
    head: git(repo, 'rev-parse', 'HEAD'),
    symbolic: git(repo, 'symbolic-ref', 'HEAD'), // throws when detached
    status: git(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    stash: git(repo, 'stash', 'list'),
    worktrees: git(repo, 'worktree', 'list', '--porcelain'),
    branches: git(repo, 'branch', '-a', '-v'),
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const change = (path: string, kind: StagedChange['kind'], after?: string): StagedChange => ({ path, kind, before: undefined, after: after === undefined ? undefined : bytes(after) });

describe('isolated workspaces', () => {
  let base: string;
  let scratchDir: string;
  let opened: IsolatedWorkspace[];

  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-isolation-')));
    scratchDir = join(base, 'scratch');
    opened = [];
  });

  afterEach(async () => {
    for (const workspace of opened) await workspace.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  async function open(root: string, buffers?: ReadonlyMap<string, string>): Promise<IsolatedWorkspace> {
    const workspace = await createIsolatedWorkspace({ root, scratchDir, ...(buffers === undefined ? {} : { buffers }) });
    opened.push(workspace);
    return workspace;
  }

  /** A repository with every kind of state: staged, modified, deleted, untracked, ignored, a stash. */
  function busyRepo(): string {
    const repo = join(base, 'repo');
    initRepo(repo);
    put(repo, { '.gitignore': 'node_modules/\n*.log\ndist/\n', 'README.md': 'committed readme\n', 'src/keep.ts': 'keep committed\n', 'run.sh': '#!/bin/sh\necho hi\n' });
    put(repo, { 'src/modified.ts': 'modified committed\n', 'src/deleted.ts': 'deleted committed\n', 'src/staged.ts': 'staged committed\n' });
    if (posix) chmodSync(join(repo, 'run.sh'), 0o755);
    commitAll(repo, 'first');
    put(repo, { 'src/keep.ts': 'stashed edit\n' });
    git(repo, 'stash', '-q');
    put(repo, { 'src/staged.ts': 'staged edit\n' });
    git(repo, 'add', 'src/staged.ts');
    put(repo, { 'src/staged.ts': 'staged then edited again\n', 'src/modified.ts': 'modified in the working tree\n', 'notes/untracked.md': 'untracked\n' });
    put(repo, { 'debug.log': 'ignored log\n', 'dist/out.js': 'ignored build output\n', 'node_modules/pkg/index.js': 'module.exports = 1;\n' });
    rmSync(join(repo, 'src/deleted.ts'));
    // A hook that would show any checkout running in the user's repository.
    put(repo, { '.git/hooks/post-checkout': `#!/bin/sh\necho ran > "${join(base, 'hook-ran')}"\n` });
    git(repo, 'config', 'core.hooksPath', join(repo, '.git', 'hooks')); // whatever the global config says
    if (posix) chmodSync(join(repo, '.git/hooks/post-checkout'), 0o755);
    return repo;
  }

  test('a worktree prepared ahead is used for the copy, which holds the files as they are when it is made', async () => {
    const repo = join(base, 'ahead');
    initRepo(repo);
    put(repo, { 'a.txt': 'committed\n' });
    commitAll(repo, 'first');
    const prepared = await prepareIsolation({ root: repo, scratchDir });
    assert.ok(prepared);
    // Edited after the preparation (as while the orchestrator plans): the copy has the new bytes.
    put(repo, { 'a.txt': 'edited while planning\n', 'b.txt': 'new while planning\n' });
    const before = repoState(repo);
    const workspace = await createIsolatedWorkspace({ root: repo, scratchDir }, prepared);
    opened.push(workspace);
    assert.equal(workspace.kind, 'git-worktree');
    assert.equal(workspace.path, prepared.scratch);
    assert.deepEqual(snapshot(workspace.path), { 'a.txt': 'edited while planning\n', 'b.txt': 'new while planning\n' });
    assert.equal(git(workspace.path, 'rev-parse', 'HEAD'), before.head);
    assert.deepEqual(repoState(repo), before);
    await workspace.dispose();
    opened = [];
    assert.equal(existsSync(prepared.scratch), false);
    assert.equal(git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((line) => line.startsWith('worktree ')).length, 1);
  });

  test('a worktree prepared ahead of a commit that is no longer HEAD is discarded, and the copy is of the new HEAD', async () => {
    const repo = join(base, 'moved');
    initRepo(repo);
    put(repo, { 'a.txt': 'one\n' });
    commitAll(repo, 'first');
    const prepared = await prepareIsolation({ root: repo, scratchDir });
    assert.ok(prepared);
    put(repo, { 'a.txt': 'two\n' });
    commitAll(repo, 'second');
    const workspace = await createIsolatedWorkspace({ root: repo, scratchDir }, prepared);
    opened.push(workspace);
    assert.notEqual(workspace.path, prepared.scratch);
    assert.equal(existsSync(prepared.scratch), false);
    assert.equal(git(workspace.path, 'rev-parse', 'HEAD'), git(repo, 'rev-parse', 'HEAD'));
    assert.equal(git(workspace.path, 'status', '--porcelain'), '');
    assert.deepEqual(snapshot(workspace.path), { 'a.txt': 'two\n' });
    assert.equal(git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((line) => line.startsWith('worktree ')).length, 2);
  });

  test('a git workspace is copied as it is now, buffers included, and the repository is left untouched', async () => {
    const repo = busyRepo();
    const before = repoState(repo);
    const buffers = new Map([['src/keep.ts', 'unsaved buffer\n'], ['src/only-in-editor.ts', 'new in editor\n']]);
    const workspace = await open(repo, buffers);

    assert.equal(workspace.kind, 'git-worktree');
    assert.equal(workspace.path.startsWith(scratchDir), true);
    assert.match(relative(scratchDir, workspace.path), /^plumbline-verify-\d+-[A-Za-z0-9]+$/);
    assert.deepEqual(snapshot(workspace.path), {
      '.gitignore': 'node_modules/\n*.log\ndist/\n',
      'README.md': 'committed readme\n',
      // A real folder of links to each entry: a cache a tool writes there lands in the copy.
      'node_modules/pkg': `-> ${join(repo, 'node_modules/pkg')}`,
      'notes/untracked.md': 'untracked\n',
      'run.sh': '#!/bin/sh\necho hi\n',
      'src/keep.ts': 'unsaved buffer\n',
      'src/modified.ts': 'modified in the working tree\n',
      'src/only-in-editor.ts': 'new in editor\n',
      'src/staged.ts': 'staged then edited again\n',
    });
    if (posix) assert.equal(statSync(join(workspace.path, 'run.sh')).mode & 0o111, 0o111);
    // The copy is a detached worktree at the user's commit, with an index of its own.
    assert.equal(git(workspace.path, 'rev-parse', 'HEAD'), before.head);
    assert.throws(() => git(workspace.path, 'symbolic-ref', '-q', 'HEAD'));
    assert.match(git(workspace.path, 'status', '--porcelain'), /^ M src\/modified\.ts$/m);
    assert.equal(existsSync(join(base, 'hook-ran')), false, 'no checkout hook ran');
    assert.deepEqual({ ...repoState(repo), worktrees: '' }, { ...before, worktrees: '' });
    assert.match(git(repo, 'worktree', 'list', '--porcelain'), /plumbline-verify-/);

    await workspace.dispose();
    assert.equal(existsSync(workspace.path), false);
    assert.deepEqual(readdirSync(scratchDir), []);
    assert.deepEqual(repoState(repo), before);
    assert.equal(existsSync(join(repo, '.git', 'worktrees')), false, 'git removes the admin folder with the last worktree');
    assert.equal(readFileSync(join(repo, 'node_modules/pkg/index.js'), 'utf8'), 'module.exports = 1;\n', 'the linked folder survives');
  });

  test('apply, reset and apply again; changes never reach the user or a linked folder', async () => {
    const repo = busyRepo();
    const userFiles = snapshot(repo);
    const workspace = await open(repo, new Map([['src/keep.ts', 'unsaved buffer\n']]));
    const baseCopy = snapshot(workspace.path);
    const first = [
      change('src/keep.ts', 'modify', 'first edit\n'),
      change('src/new/deep/file.ts', 'create', 'created\n'),
      change('README.md', 'delete'),
      change('run.sh', 'modify', '#!/bin/sh\necho changed\n'),
    ];
    await workspace.apply(first);
    await workspace.apply(first); // idempotent
    const applied = snapshot(workspace.path);
    assert.equal(applied['src/keep.ts'], 'first edit\n');
    assert.equal(applied['src/new/deep/file.ts'], 'created\n');
    assert.equal(applied['README.md'], undefined);
    if (posix) assert.equal(statSync(join(workspace.path, 'run.sh')).mode & 0o111, 0o111);

    await workspace.apply([change('src/modified.ts', 'modify', 'second\n')]);
    assert.deepEqual(snapshot(workspace.path), { ...baseCopy, 'src/modified.ts': 'second\n' }, 'the first batch is reverted');

    await workspace.apply(first);
    await workspace.reset();
    assert.deepEqual(snapshot(workspace.path), baseCopy);
    assert.equal(existsSync(join(workspace.path, 'src/new')), false, 'folders a change created are removed');

    for (const path of ['../escape.txt', '/etc/passwd', 'src/../../x', '.git/config', 'src/.GIT/x', 'node_modules/pkg/index.js']) {
      await assert.rejects(workspace.apply([change('src/keep.ts', 'modify', 'not written\n'), change(path, 'modify', 'bad\n')]), IsolationError, path);
    }
    await assert.rejects(workspace.apply([change('src', 'delete')]), IsolationError);
    assert.deepEqual(snapshot(workspace.path), baseCopy, 'a refused batch writes nothing');
    assert.deepEqual(snapshot(repo), userFiles);
    await workspace.dispose();
    await assert.rejects(workspace.apply(first), IsolationError);
    await workspace.dispose(); // twice is fine
  });

  test('a workspace in a subfolder of a repository maps to the same subfolder of the worktree', async () => {
    const repo = join(base, 'mono');
    initRepo(repo);
    put(repo, { '.gitignore': 'node_modules/\n', 'shared/lib.txt': 'shared committed\n', 'packages/app/src/a.ts': 'a committed\n', 'packages/app/old.ts': 'old\n' });
    commitAll(repo, 'first');
    put(repo, { 'shared/lib.txt': 'shared edited\n', 'top-untracked.txt': 'outside the workspace\n', 'node_modules/dep/index.js': 'hoisted\n' });
    put(repo, { 'packages/app/src/a.ts': 'a edited\n', 'packages/app/fresh.ts': 'untracked here\n', 'packages/app/node_modules/local/index.js': 'local\n' });
    rmSync(join(repo, 'packages/app/old.ts'));
    const before = repoState(repo);
    const workspace = await open(join(repo, 'packages', 'app'), new Map([['src/b.ts', 'buffer\n']]));
    const top = dirname(dirname(workspace.path));

    assert.equal(workspace.kind, 'git-worktree');
    assert.equal(relative(top, workspace.path).split('\\').join('/'), 'packages/app');
    const linked = `-> ${join(repo, 'packages/app/node_modules/local')}`;
    assert.deepEqual(snapshot(workspace.path), { 'fresh.ts': 'untracked here\n', 'node_modules/local': linked, 'src/a.ts': 'a edited\n', 'src/b.ts': 'buffer\n' });
    assert.equal(readFileSync(join(top, 'shared/lib.txt'), 'utf8'), 'shared edited\n');
    assert.equal(existsSync(join(top, 'top-untracked.txt')), false);
    assert.equal(readlinkSync(join(top, 'node_modules/dep')), join(repo, 'node_modules/dep'));
    await workspace.apply([change('src/a.ts', 'modify', 'applied\n')]);
    assert.equal(readFileSync(join(workspace.path, 'src/a.ts'), 'utf8'), 'applied\n');
    await workspace.dispose();
    assert.equal(existsSync(top), false);
    assert.deepEqual(repoState(repo), before);
  });

  test('a folder outside git is copied with modes and inner links, and linked folders survive dispose', async () => {
    const root = join(base, 'plain');
    put(root, { 'bin/tool': '#!/bin/sh\n', 'src/a.ts': 'a\n', '.plumbline/runs/1.json': '{}', '.git/HEAD': 'not a real repository\n' });
    put(root, { 'node_modules/dep/index.js': 'dep\n', 'packages/p/node_modules/q/index.js': 'q\n', 'packages/p/index.ts': 'p\n' });
    put(base, { 'outside.txt': 'outside\n' });
    if (posix) {
      chmodSync(join(root, 'bin/tool'), 0o755);
      symlinkSync('src/a.ts', join(root, 'inner-link'));
      symlinkSync(join(root, 'src'), join(root, 'absolute-inner'));
      symlinkSync('../outside.txt', join(root, 'outer-link'));
    }
    const workspace = await open(root);
    assert.equal(workspace.kind, 'copy');
    const copy = snapshot(workspace.path);
    assert.deepEqual(Object.keys(copy).sort(), ['bin/tool', 'node_modules/dep', 'packages/p/index.ts', 'packages/p/node_modules/q', 'src/a.ts', ...(posix ? ['absolute-inner', 'inner-link', 'outer-link'] : [])].sort());
    assert.equal(copy['node_modules/dep'], `-> ${join(root, 'node_modules/dep')}`);
    if (posix) {
      assert.equal(statSync(join(workspace.path, 'bin/tool')).mode & 0o777, 0o755);
      assert.equal(statSync(join(workspace.path, 'src/a.ts')).mode & 0o111, 0);
      assert.equal(copy['inner-link'], '-> src/a.ts');
      assert.equal(copy['absolute-inner'], `-> ${join(workspace.path, 'src')}`);
      assert.equal(copy['outer-link'], `-> ${join(base, 'outside.txt')}`);
    }
    await workspace.apply([change('src/a.ts', 'modify', 'changed\n')]);
    assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'a\n');
    await workspace.dispose();
    assert.equal(existsSync(workspace.path), false);
    assert.equal(readFileSync(join(root, 'node_modules/dep/index.js'), 'utf8'), 'dep\n');
    assert.equal(readFileSync(join(root, 'packages/p/node_modules/q/index.js'), 'utf8'), 'q\n');
    assert.equal(lstatSync(join(root, 'node_modules')).isDirectory(), true);
  });

  test('a repository without commits is copied (ignored files left out) and registers no worktree', async () => {
    const repo = join(base, 'empty');
    initRepo(repo);
    put(repo, { '.gitignore': '*.log\n', 'a.ts': 'a\n', 'sub/b.ts': 'b\n', 'x.log': 'log\n', 'node_modules/m/i.js': 'm\n' });
    git(repo, 'add', 'a.ts');
    const workspace = await open(repo);
    assert.equal(workspace.kind, 'copy');
    assert.deepEqual(snapshot(workspace.path), { '.gitignore': '*.log\n', 'a.ts': 'a\n', 'sub/b.ts': 'b\n', 'node_modules/m/i.js': 'm\n' });
    assert.equal(existsSync(join(repo, '.git', 'worktrees')), false);
    await workspace.dispose();
    assert.deepEqual(readdirSync(scratchDir), []);
  });

  test('a folder its enclosing repository ignores (a home folder under git) is copied as a plain folder', async () => {
    const home = join(base, 'home');
    initRepo(home);
    put(home, { '.gitignore': '*\n!.gitignore\n', 'projects/app/a.ts': 'a\n' });
    commitAll(home, 'dotfiles');
    const workspace = await open(join(home, 'projects', 'app'));
    assert.equal(workspace.kind, 'copy');
    assert.deepEqual(snapshot(workspace.path), { 'a.ts': 'a\n' });
    assert.equal(existsSync(join(home, '.git', 'worktrees')), false);
  });

  test('submodule content is copied, and the worktree still goes away', async () => {
    const library = join(base, 'library');
    initRepo(library);
    put(library, { 'lib.ts': 'library\n' });
    commitAll(library, 'library');
    const repo = join(base, 'super');
    initRepo(repo);
    put(repo, { 'main.ts': 'main\n' });
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'libs/library');
    commitAll(repo, 'with submodule');
    put(repo, { 'libs/library/lib.ts': 'library edited\n', 'libs/library/extra.ts': 'extra\n' });
    const before = repoState(repo);
    const workspace = await open(repo);
    assert.equal(workspace.kind, 'git-worktree');
    const copy = snapshot(workspace.path);
    assert.equal(copy['libs/library/lib.ts'], 'library edited\n');
    assert.equal(copy['libs/library/extra.ts'], 'extra\n');
    assert.equal(copy['main.ts'], 'main\n');
    assert.equal(existsSync(join(workspace.path, 'libs/library/.git')), false);
    await workspace.dispose();
    assert.deepEqual(repoState(repo), before);
    assert.deepEqual(readdirSync(scratchDir), []);
  });

  test('a failed creation leaves no folder and no worktree behind', async () => {
    const repo = busyRepo();
    const before = repoState(repo);
    // A name no file system takes: creation fails writing buffers, after the worktree exists.
    await assert.rejects(createIsolatedWorkspace({ root: repo, scratchDir, buffers: new Map([[`src/${'x'.repeat(300)}.ts`, 'x']]) }), /ENAMETOOLONG/);
    assert.deepEqual(readdirSync(scratchDir), []);
    assert.deepEqual(repoState(repo), before);
    await assert.rejects(createIsolatedWorkspace({ root: repo, scratchDir, buffers: new Map([['../escape.ts', 'x']]) }), IsolationError);
    await assert.rejects(createIsolatedWorkspace({ root: join(repo, 'src'), scratchDir: join(repo, 'tmp') }), /outside the workspace/);
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
  });

  test('stale isolations of dead processes are removed; live ones and other folders stay', async () => {
    const repo = busyRepo();
    const before = repoState(repo);
    const dead = 2_147_483_000; // above any pid_max
    mkdirSync(scratchDir, { recursive: true });
    const staleTree = join(scratchDir, `plumbline-verify-${String(dead)}-abc123`);
    git(repo, 'worktree', 'add', '-q', '--detach', '--no-checkout', staleTree, 'HEAD');
    symlinkSync(join(repo, 'node_modules'), join(staleTree, 'node_modules'), posix ? 'dir' : 'junction');
    const staleFolder = join(scratchDir, `plumbline-verify-${String(dead)}-def456`);
    put(staleFolder, { 'file.txt': 'left over\n' });
    const alive = join(scratchDir, `plumbline-verify-${String(process.pid)}-ghi789`);
    const unrelated = join(scratchDir, 'something-else');
    put(alive, { 'file.txt': 'in use\n' });
    put(unrelated, { 'file.txt': 'not ours\n' });

    const removed = await cleanupStaleIsolations(repo, { scratchDir });
    assert.deepEqual(removed.sort(), [staleTree, staleFolder].sort());
    assert.deepEqual(readdirSync(scratchDir).sort(), [relative(scratchDir, alive), 'something-else'].sort());
    assert.deepEqual(repoState(repo), before);
    assert.equal(readFileSync(join(repo, 'node_modules/pkg/index.js'), 'utf8'), 'module.exports = 1;\n');
    assert.deepEqual(await cleanupStaleIsolations(repo, { scratchDir }), []);
  });

  test('a stale worktree registered from another scratch folder is found in .git/worktrees and removed; the live one stays', async () => {
    const repo = busyRepo();
    const elsewhere = join(dirname(scratchDir), 'other-scratch');
    mkdirSync(elsewhere, { recursive: true });
    const dead = 2_147_483_000;
    const staleTree = join(elsewhere, `plumbline-verify-${String(dead)}-xyz789`);
    const liveTree = join(elsewhere, `plumbline-verify-${String(process.pid)}-live01`);
    git(repo, 'worktree', 'add', '-q', '--detach', '--no-checkout', staleTree, 'HEAD');
    git(repo, 'worktree', 'add', '-q', '--detach', '--no-checkout', liveTree, 'HEAD');

    const expected = realpathSync(staleTree);
    // scratchDir holds neither: only the repository's own record of its worktrees leads to them.
    assert.deepEqual(await cleanupStaleIsolations(repo, { scratchDir }), [expected]);
    assert.equal(existsSync(staleTree), false);
    const listed = git(repo, 'worktree', 'list', '--porcelain');
    assert.doesNotMatch(listed, /xyz789/);
    assert.match(listed, /live01/);
  });

  test('probeRepo answers work tree, top, prefix and HEAD with one call; without commits HEAD is undefined; outside a repository undefined', async () => {
    const { probeRepo } = await import('../../src/agent/verify/isolationGit');
    const repo = busyRepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    assert.deepEqual(await probeRepo(join(repo, 'src')), { top: realpathSync(repo), prefix: 'src', head });
    const empty = join(dirname(scratchDir), 'empty-repo');
    initRepo(empty);
    assert.deepEqual(await probeRepo(empty), { top: realpathSync(empty), prefix: '', head: undefined });
    const plain = join(dirname(scratchDir), 'not-a-repo');
    mkdirSync(plain, { recursive: true });
    assert.equal(await probeRepo(plain), undefined);
  });

  test("a zombie's isolation is stale and its run lock is free: it has exited, only its reaping is late", { skip: process.platform !== 'linux' && 'zombies are read from /proc' }, async (t) => {
    // A shell starts `true` in the background and becomes `sleep`, which never reaps it: `true` stays a zombie.
    const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      const state = (): string => {
        // Gone: reaped at once, as where the parent inherited an ignored SIGCHLD (the kernel then reaps for it).
        if (!existsSync(`/proc/${String(zombie)}`)) return 'gone';
        const stat = readFileSync(`/proc/${String(zombie)}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      for (let waited = 0; state() !== 'Z' && state() !== 'gone' && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      if (state() === 'gone') {
        t.skip('this environment reaps orphans at once (SIGCHLD ignored): no zombie can be made here');
        return;
      }
      assert.equal(state(), 'Z');
      assert.ok(process.kill(zombie, 0), 'a zombie still answers signal 0');

      const repo = busyRepo();
      mkdirSync(scratchDir, { recursive: true });
      const stale = join(scratchDir, `plumbline-verify-${String(zombie)}-abc123`);
      put(stale, { 'file.txt': 'left by a killed server\n' });
      assert.deepEqual(await cleanupStaleIsolations(repo, { scratchDir }), [stale]);

      mkdirSync(join(repo, '.plumbline'), { recursive: true });
      writeFileSync(join(repo, '.plumbline', 'run.lock'), JSON.stringify({ runId: 'killed-run', pid: zombie }));
      const release = await acquireRunLock(repo, 'next-run');
      assert.match(readFileSync(join(repo, '.plumbline', 'run.lock'), 'utf8'), /"runId":"next-run"/);
      await release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
