import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { WorkspacePathError, type WorkspaceReader } from '../../src/tools/workspacePort';

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
}

async function all(workspace: WorkspaceReader, options: { path?: string; glob?: string } = {}): Promise<readonly string[]> {
  return (await workspace.listFiles({ limit: 1000, ...options })).paths;
}

describe('the disk workspace in a git repository', () => {
  let root: string;
  let workspace: WorkspaceReader;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-git-')));
    git(root, 'init', '-q');
    write(root, {
      '.gitignore': 'ignored/\n*.log\n',
      'a.ts': 'a',
      'src/b.ts': 'b',
      'src/space dir/c d.ts': 'c',
      'src/ünïcødé.ts': 'u',
      'dist/tracked.js': 'tracked build output',
      'gone.ts': 'deleted later',
      'ignored/x.ts': 'x',
      'debug.log': 'log',
    });
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'initial');
    unlinkSync(join(root, 'gone.ts'));
    write(root, { 'untracked.ts': 'new', '.plumbline/state.json': '{}', 'vendored/lib.ts': 'a nested repository' });
    // A nested, untracked repository: git reports it as `vendored/`, a folder, not its files.
    git(join(root, 'vendored'), 'init', '-q');
    workspace = createDiskWorkspace(root);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('lists tracked and untracked files, not ignored or deleted ones, sorted', async () => {
    assert.deepEqual(await all(workspace), [
      '.gitignore',
      'a.ts',
      'dist/tracked.js',
      'src/b.ts',
      'src/space dir/c d.ts',
      'src/ünïcødé.ts',
      'untracked.ts',
    ]);
  });

  test('filters by folder and by glob, relative to the root or to the folder', async () => {
    assert.deepEqual(await all(workspace, { path: 'src' }), ['src/b.ts', 'src/space dir/c d.ts', 'src/ünïcødé.ts']);
    assert.deepEqual(await all(workspace, { path: 'src/space dir' }), ['src/space dir/c d.ts']);
    assert.deepEqual(await all(workspace, { path: 'src\\space dir' }), ['src/space dir/c d.ts']);
    assert.deepEqual(await all(workspace, { glob: 'src/*.ts' }), ['src/b.ts', 'src/ünïcødé.ts']);
    assert.deepEqual(await all(workspace, { path: 'src', glob: 'space dir/*' }), ['src/space dir/c d.ts']);
    assert.deepEqual(await all(workspace, { glob: '*.js' }), ['dist/tracked.js']);
    assert.deepEqual(await all(workspace, { path: 'no-such-folder' }), []);
    await assert.rejects(workspace.listFiles({ path: '../', limit: 10 }), WorkspacePathError);
  });

  test('caps at the limit and says so', async () => {
    assert.deepEqual(await workspace.listFiles({ limit: 2 }), { paths: ['.gitignore', 'a.ts'], truncated: true });
    assert.deepEqual(await workspace.listFiles({ limit: 7 }), { paths: await all(workspace), truncated: false });
    assert.deepEqual(await workspace.listFiles({ limit: 0 }), { paths: [], truncated: true });
  });

  test('a workspace folder inside a larger repository lists paths relative to itself', async () => {
    assert.deepEqual(await all(createDiskWorkspace(join(root, 'src'))), ['b.ts', 'space dir/c d.ts', 'ünïcødé.ts']);
  });

  test('the ignore option applies in a git repository too', async () => {
    const narrowed = createDiskWorkspace(root, { ignore: ['dist', 'src/space dir'] });
    assert.deepEqual(await all(narrowed), ['.gitignore', 'a.ts', 'src/b.ts', 'src/ünïcødé.ts', 'untracked.ts']);
  });
});

describe('the disk workspace outside git', () => {
  let root: string;
  let outside: string;

  before(() => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-walk-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    write(root, {
      'src/a.ts': 'a',
      'src/deep/b.ts': 'b',
      'README.md': 'readme',
      'node_modules/pkg/index.js': 'dependency',
      'dist/out.js': 'build',
      'build/x.o': 'build',
      'target/x.class': 'build',
      '.venv/lib/x.py': 'venv',
      '__pycache__/x.pyc': 'cache',
      '.next/x.js': 'next',
      'out/x.js': 'out',
      '.plumbline/state.json': '{}',
      '.git/config': 'not a real repo',
      'nested/.GIT/HEAD': 'odd case',
      'coverage/lcov.info': 'coverage',
    });
    write(outside, { 'secret.txt': 'secret' });
    symlinkSync(join(root, 'src'), join(root, 'linked-src'));
    symlinkSync(join(root, 'README.md'), join(root, 'readme-link.md'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  });

  after(() => rmSync(dirname(root), { recursive: true, force: true }));

  test('walks the tree, skipping heavy folders, .git in any case and linked folders', async () => {
    assert.deepEqual(await all(createDiskWorkspace(root)), ['README.md', 'coverage/lcov.info', 'readme-link.md', 'src/a.ts', 'src/deep/b.ts']);
  });

  test('skips the ignore option globs and applies filters and the limit', async () => {
    const workspace = createDiskWorkspace(root, { ignore: ['coverage', '*.md'] });
    assert.deepEqual(await all(workspace), ['src/a.ts', 'src/deep/b.ts']);
    assert.deepEqual(await all(workspace, { glob: 'src/**/b.ts' }), ['src/deep/b.ts']);
    assert.deepEqual(await workspace.listFiles({ path: 'src', limit: 1 }), { paths: ['src/a.ts'], truncated: true });
  });
});

describe('reading files', () => {
  let root: string;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-read-')));
    write(root, { 'src/a.ts': 'on disk', 'src/b.ts': 'b on disk' });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('returns the disk bytes as a plain Uint8Array', async () => {
    const file = await createDiskWorkspace(root).readFile('src\\a.ts');
    assert.deepEqual(file, { path: 'src/a.ts', bytes: new TextEncoder().encode('on disk'), fromBuffer: false });
  });

  test('an unsaved buffer wins over the disk, keyed by the normalised relative path', async () => {
    const asked: string[] = [];
    const workspace = createDiskWorkspace(root, {
      buffers: (path) => {
        asked.push(path);
        return path === 'src/a.ts' ? 'unsaved ✓' : path === 'new.ts' ? 'not saved yet' : undefined;
      },
    });
    assert.deepEqual(await workspace.readFile('./src/a.ts'), { path: 'src/a.ts', bytes: new TextEncoder().encode('unsaved ✓'), fromBuffer: true });
    assert.equal((await workspace.readFile('new.ts'))?.fromBuffer, true);
    assert.equal((await workspace.readFile('src/b.ts'))?.fromBuffer, false);
    assert.deepEqual(asked, ['src/a.ts', 'new.ts', 'src/b.ts']);
  });

  test('a missing file is undefined; a folder or a bad path is a WorkspacePathError', async () => {
    const workspace = createDiskWorkspace(root);
    assert.equal(await workspace.readFile('src/missing.ts'), undefined);
    assert.equal(await workspace.readFile('src/a.ts/below.ts'), undefined);
    await assert.rejects(workspace.readFile('src'), (error: unknown) => error instanceof WorkspacePathError && /src is a folder/.test(error.message));
    await assert.rejects(workspace.readFile('../etc/passwd'), WorkspacePathError);
    await assert.rejects(workspace.readFile('.git/config'), WorkspacePathError);
  });
});
