/**
 * What the adversarial tests share: a throw-away workspace (git or not) with a sentinel file beside
 * it, and a byte-for-byte picture of both, so each test can prove that no byte outside the approved
 * change was written, inside the workspace or out of it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { VerifiedRepo } from './verifyHarness';

export const sentinelText = 'the sentinel outside the workspace: nothing may touch it\n';

function git(root: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
}

/**
 * A workspace holding `files` (committed to a fresh repository unless `git: false`), in a private
 * parent folder (or `under`) that also holds `sentinel.txt`.
 */
export function makeWorkspace(files: Readonly<Record<string, string | Uint8Array>>, options: { git?: boolean; under?: string } = {}): VerifiedRepo {
  const parent = mkdtempSync(join(options.under ?? tmpdir(), 'plumbline-adversarial-'));
  const root = join(parent, 'repo');
  mkdirSync(root);
  writeFileSync(join(parent, 'sentinel.txt'), sentinelText);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (options.git !== false) {
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'fixture');
  }
  return {
    root,
    parent,
    read: (path) => readFileSync(join(root, path)),
    exists: (path) => existsSync(join(root, path)),
    text: (path) => readFileSync(join(root, path), 'utf8'),
    runDir: (runId) => join(root, '.plumbline', 'runs', runId),
    planMarkdown: (runId) => readFileSync(join(root, '.plumbline', 'runs', runId, 'plan.md'), 'utf8'),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Git's own bookkeeping changes with every command; what matters in .git is what makes git run code. */
const gitInternals = /^\.git\/(?!config$|hooks\/)/;

function walk(base: string, folder: string, into: Map<string, Buffer>, skip: (path: string) => boolean): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const absolute = join(folder, entry.name);
    const path = relative(base, absolute).split('\\').join('/');
    if (skip(path)) continue;
    if (entry.isDirectory()) walk(base, absolute, into, skip);
    else if (entry.isSymbolicLink()) into.set(path, Buffer.from(`-> ${absolute}`));
    else into.set(path, readFileSync(absolute));
  }
}

export interface World {
  /** Every workspace file but the run's own state (.plumbline) and git's internals. */
  readonly workspace: ReadonlyMap<string, Buffer>;
  /** Everything beside the workspace: the sentinel, and anything a run might drop there. */
  readonly outside: ReadonlyMap<string, Buffer>;
}

export function captureWorld(repo: { readonly root: string; readonly parent: string }): World {
  const workspace = new Map<string, Buffer>();
  walk(repo.root, repo.root, workspace, (path) => path === '.plumbline' || path.startsWith('.plumbline/') || gitInternals.test(path) || /^\.git\/hooks\/.*\.sample$/.test(path));
  const outside = new Map<string, Buffer>();
  walk(repo.parent, repo.parent, outside, (path) => path === 'repo');
  return { workspace, outside };
}

/**
 * Asserts that between two pictures exactly `changed` differ (a Buffer: its new bytes; null: it is
 * gone), that nothing else in the workspace changed, and that nothing outside it did.
 */
export function assertOnlyChanged(before: World, after: World, changed: Readonly<Record<string, Buffer | string | null>> = {}): void {
  assert.deepEqual([...after.outside.entries()], [...before.outside.entries()], 'nothing outside the workspace changed (the sentinel included)');
  assert.equal(after.outside.get('sentinel.txt')?.toString(), sentinelText);
  const expected = new Map(before.workspace);
  for (const [path, bytes] of Object.entries(changed)) {
    if (bytes === null) expected.delete(path);
    else expected.set(path, Buffer.from(bytes));
  }
  const differences = [...new Set([...expected.keys(), ...after.workspace.keys()])].filter((path) => {
    const want = expected.get(path);
    const got = after.workspace.get(path);
    return want === undefined || got === undefined ? want !== got : !want.equals(got);
  });
  assert.deepEqual(differences.sort(), [], 'no byte outside the approved change was written');
}
