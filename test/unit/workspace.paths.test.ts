import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveWorkspacePath, toRelative } from '../../src/agent/workspace/workspacePaths';
import { WorkspacePathError } from '../../src/tools/workspacePort';

describe('resolveWorkspacePath', () => {
  let base: string;
  let root: string;
  let outside: string;

  before(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-paths-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    mkdirSync(join(root, 'src', 'nested'), { recursive: true });
    mkdirSync(join(root, 'my folder'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    writeFileSync(join(root, 'src', 'a.ts'), 'a');
    writeFileSync(join(root, 'src', 'nested', 'b.ts'), 'b');
    writeFileSync(join(root, 'my folder', 'a b.txt'), 'spaces');
    writeFileSync(join(root, 'ünïcødé.md'), 'unicode');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
    symlinkSync(outside, join(root, 'outside-dir'));
    symlinkSync(join(root, 'src', 'a.ts'), join(root, 'inner-link.ts'));
    symlinkSync(join(base, 'missing-target'), join(root, 'dangling'));
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'config'), '[core]');
    symlinkSync(join(root, '.git'), join(root, 'git-alias'));
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  async function refusal(path: string, pattern: RegExp, options?: { forWrite?: boolean }): Promise<void> {
    await assert.rejects(resolveWorkspacePath(root, path, options), (error: unknown) => {
      assert.ok(error instanceof WorkspacePathError, `expected WorkspacePathError for ${path}, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    });
  }

  test('refuses .. escapes, naming the path and an example of a good one', async () => {
    await refusal('../x', /^\.\.\/x is outside the workspace; use a path inside it, like src\/index\.ts/);
    await refusal('src/../../etc/passwd', /src\/\.\.\/\.\.\/etc\/passwd is outside the workspace/);
    await refusal('src\\..\\..\\x', /outside the workspace/);
  });

  test('refuses absolute paths, including Windows drive and UNC forms on every platform', async () => {
    await refusal('/etc/hosts', /absolute path/);
    // Decision: `C:\x` is a legal POSIX name, but a model writing it means a Windows absolute path.
    await refusal('C:\\x', /absolute path/);
    await refusal('c:/x', /absolute path/);
    await refusal('\\\\server\\share\\x', /absolute path/);
    await refusal('~/notes.txt', /home folder/);
  });

  test('refuses anything in .git, in any case and its Windows aliases', async () => {
    await refusal('.git/config', /inside \.git/);
    await refusal('.GIT/HEAD', /inside \.git/);
    await refusal('.Git', /inside \.git/);
    await refusal('sub/.git/hooks/pre-commit', /inside \.git/);
    await refusal('.git./config', /inside \.git/);
    await refusal('.git::$INDEX_ALLOCATION/config', /inside \.git/);
    await refusal('GIT~1/config', /inside \.git/);
    await refusal('git-alias/config', /resolves \(through a symbolic link\) into \.git/);
  });

  test('refuses empty paths, NUL bytes and the root itself', async () => {
    await refusal('', /empty/);
    await refusal('src/a\0.ts', /NUL byte/);
    await refusal('.', /workspace root, not a file/);
    await refusal('src/..', /workspace root, not a file/);
    assert.deepEqual(await resolveWorkspacePath(root, './', { allowRoot: true }), { relative: '', absolute: root });
  });

  test('refuses a symlinked file or folder whose real location is outside', async () => {
    await refusal('secret-link.txt', /resolves \(through a symbolic link\) to .*outside.*outside the workspace/);
    await refusal('outside-dir/secret.txt', /outside the workspace/);
    await refusal('outside-dir/new-file.txt', /outside the workspace/, { forWrite: true });
    await refusal('dangling', /symbolic link whose target does not exist/);
    await refusal('dangling/x.ts', /symbolic link whose target does not exist/, { forWrite: true });
  });

  test('reads may go through a link inside the workspace; writes may not', async () => {
    assert.equal((await resolveWorkspacePath(root, 'inner-link.ts')).relative, 'inner-link.ts');
    await refusal('inner-link.ts', /symbolic link \(to src\/a\.ts\); write the real path instead/, { forWrite: true });
  });

  test('writes refuse folders and paths through a file', async () => {
    await refusal('src', /is a folder/, { forWrite: true });
    await refusal('src/a.ts/x.ts', /goes through src\/a\.ts, which is a file/, { forWrite: true });
    assert.equal((await resolveWorkspacePath(root, 'src')).relative, 'src');
  });

  test('accepts nested, unicode and spaced names with either separator, normalised', async () => {
    assert.deepEqual(await resolveWorkspacePath(root, 'src/nested/b.ts'), { relative: 'src/nested/b.ts', absolute: join(root, 'src', 'nested', 'b.ts') });
    assert.equal((await resolveWorkspacePath(root, 'src\\nested\\b.ts')).relative, 'src/nested/b.ts');
    assert.equal((await resolveWorkspacePath(root, './src//nested/../a.ts')).relative, 'src/a.ts');
    assert.equal((await resolveWorkspacePath(root, 'ünïcødé.md')).relative, 'ünïcødé.md');
    assert.equal((await resolveWorkspacePath(root, 'my folder/a b.txt')).relative, 'my folder/a b.txt');
    assert.equal((await resolveWorkspacePath(root, '.gitignore')).relative, '.gitignore');
    assert.equal((await resolveWorkspacePath(root, 'new/deeper/file.ts', { forWrite: true })).relative, 'new/deeper/file.ts');
  });

  test('a root reached through a symlink still confines correctly', async () => {
    const linkedRoot = join(base, 'linked-root');
    symlinkSync(root, linkedRoot);
    assert.deepEqual(await resolveWorkspacePath(linkedRoot, 'src/a.ts'), { relative: 'src/a.ts', absolute: join(linkedRoot, 'src', 'a.ts') });
    await assert.rejects(resolveWorkspacePath(linkedRoot, 'secret-link.txt'), WorkspacePathError);
  });

  test('toRelative gives forward slashes and refuses paths outside the root', () => {
    assert.equal(toRelative(root, join(root, 'src', 'nested', 'b.ts')), 'src/nested/b.ts');
    assert.equal(toRelative(root, root), '');
    assert.throws(() => toRelative(root, join(outside, 'secret.txt')), WorkspacePathError);
    assert.throws(() => toRelative(root, `${root}-sibling/x`), WorkspacePathError);
  });
});
