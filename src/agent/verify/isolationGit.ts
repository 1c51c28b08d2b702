import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { runGit } from '../gitProcess';
import { isolationPrefix } from './isolationPaths';

/**
 * The git calls isolation makes. Every argument is a literal, a commit id checked to be hex, or an
 * absolute path after `--`: nothing a model or user typed reaches git as an option. `runGit` drops
 * ambient GIT_* variables, so GIT_DIR or GIT_INDEX_FILE from a hook cannot redirect a call, and
 * turns fsmonitor off: a repository's config may name an fsmonitor command, which must never run.
 */

export function git(dir: string): { raw(args: readonly string[]): Promise<string> } {
  return { raw: (args) => runGit(dir, args) };
}

export interface RepoInfo {
  /** The work tree's top folder, as git reports it (real path). */
  readonly top: string;
  /** The workspace root relative to top, forward slashes, '' at the top. */
  readonly prefix: string;
  /** HEAD's commit id; undefined in a repository without commits. */
  readonly head: string | undefined;
}

/** The work tree `folder` lies in, or undefined when it is in none (or git is missing or refuses it). */
export async function probeRepo(folder: string): Promise<RepoInfo | undefined> {
  // One git start-up for both questions (each start-up blocks this process's event loop for
  // milliseconds). Without commits `--verify --quiet` makes the call exit 1: ask again without it.
  const both = await git(folder)
    .raw(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix', '--verify', '--quiet', 'HEAD^{commit}'])
    .catch(() => undefined);
  const output = both ?? (await git(folder).raw(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix']).catch(() => undefined));
  if (output === undefined) return undefined;
  const [inside, top, prefix = '', head] = output.split('\n');
  if (inside !== 'true' || top === undefined || !isAbsolute(top)) return undefined;
  return { top, prefix: prefix.replace(/\/+$/, ''), head: both !== undefined && head !== undefined && /^[0-9a-f]{40,64}$/.test(head) ? head : undefined };
}

function nulList(output: string): string[] {
  return output.split('\0').filter((entry) => entry !== '');
}

/**
 * Paths relative to the top (ending in `/` for a nested repository) that git shows under `folder`:
 * tracked ones and, with `untracked`, untracked ones it does not ignore. Deleted tracked files are
 * listed too: their index entries remain.
 */
export async function listFiles(folder: string, untracked: boolean): Promise<string[]> {
  const args = ['ls-files', '-z', '--full-name', '--cached'];
  if (untracked) args.push('--others', '--exclude-standard');
  return nulList(await git(folder).raw(args));
}

/** Ignored entries under `folder` (relative to the top, no trailing slash), not descending into ignored folders. */
export async function listIgnored(folder: string): Promise<string[]> {
  const output = await git(folder).raw(['ls-files', '-z', '--full-name', '--others', '--ignored', '--exclude-standard', '--directory']);
  return nulList(output).map((entry) => entry.replace(/\/+$/, ''));
}

/** A detached work tree of `commit` at the empty folder `path`, nothing checked out: no hook, no filter runs. */
/** The `git worktree add` under way per repository: one at a time (see addWorktree). */
const worktreeAdds = new Map<string, Promise<unknown>>();

/** Another process's `git worktree add` was half-way when ours listed the work trees. */
const halfMadeWorktree = /failed to read .*worktrees\/[^\s]*\/(?:commondir|gitdir)/;

export async function addWorktree(top: string, path: string, commit: string): Promise<void> {
  if (!/^[0-9a-f]{40,64}$/.test(commit) || !isAbsolute(path) || path.startsWith('-')) throw new Error(`Refused worktree arguments: ${commit} ${path}`);
  // Two adds at once in one repository race: each reads every work tree's admin folder, and the
  // other's is there before its `commondir` is written ("failed to read …/commondir"). Parallel
  // verification copies of one run are added one after another; a race with another process
  // (a second run, the user's git) is retried once.
  const add = (): Promise<string> => git(top).raw(['worktree', 'add', '--detach', '--no-checkout', '--', path, commit]);
  const previous = worktreeAdds.get(top) ?? Promise.resolve();
  const mine = previous.then(add, add).catch(async (error: unknown) => {
    if (!(error instanceof Error) || !halfMadeWorktree.test(error.message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return add();
  });
  const settled = mine.catch(() => undefined);
  worktreeAdds.set(top, settled);
  try {
    await mine;
  } finally {
    if (worktreeAdds.get(top) === settled) worktreeAdds.delete(top);
  }
  // The new work tree has no index: give it HEAD's, so `git status` there shows real differences.
  // It lives in the work tree's own admin folder; the user's index is not touched.
  await git(path).raw(['read-tree', commit]);
}

/**
 * The work trees of ours (named with the isolation prefix) registered with the repository at
 * `top`, read from `.git/worktrees/<name>/gitdir` when `.git` is a plain folder: what
 * `git worktree list` would say about them, without starting git at the start of every run.
 * Otherwise (top is itself a linked work tree or a submodule) git is asked.
 */
export async function listOwnWorktrees(top: string): Promise<string[]> {
  const dotGit = resolve(top, '.git');
  if (!(await stat(dotGit).then((entry) => entry.isDirectory(), () => false))) return listWorktrees(top);
  const admin = resolve(dotGit, 'worktrees');
  const names = (await readdir(admin).catch(() => [] as string[])).filter((name) => name.startsWith(isolationPrefix));
  const paths: string[] = [];
  for (const name of names) {
    const gitdir = await readFile(resolve(admin, name, 'gitdir'), 'utf8').catch(() => undefined);
    if (gitdir !== undefined && gitdir.trim() !== '') paths.push(dirname(resolve(admin, name, gitdir.trim())));
  }
  return paths;
}

/** Work-tree paths registered with the repository at `top` (the main one included). */
export async function listWorktrees(top: string): Promise<string[]> {
  const output = await git(top).raw(['worktree', 'list', '--porcelain']);
  return output.split('\n').filter((line) => line.startsWith('worktree ')).map((line) => line.slice('worktree '.length));
}

/** The admin folder (`.git/worktrees/<name>`) a linked work tree's `.git` file points at. */
export async function worktreeAdminDir(path: string): Promise<string | undefined> {
  try {
    const match = /^gitdir: (.+)$/m.exec(await readFile(resolve(path, '.git'), 'utf8'));
    return match?.[1] === undefined ? undefined : resolve(path, match[1].trim());
  } catch {
    return undefined;
  }
}

/** Removes a linked work tree's admin folder, if it is one of ours: what `git worktree prune` does, for it alone. */
export async function forgetAdminDir(adminDir: string): Promise<void> {
  if (basename(dirname(adminDir)) === 'worktrees' && basename(adminDir).startsWith(isolationPrefix)) {
    await rm(adminDir, { recursive: true, force: true });
  }
}

/**
 * Removes one of our own work trees without running git: its folder, then its admin folder (and
 * `.git/worktrees` once empty, as git does). `git worktree remove --force --force` does the same
 * for a linked work tree; two git processes fewer matter at the end of every verified run.
 */
export async function forgetOwnWorktree(path: string, adminDir: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await forgetAdminDir(adminDir);
  if (basename(dirname(adminDir)) === 'worktrees') await rmdir(dirname(adminDir)).catch(() => undefined);
}

/**
 * Unregisters the work tree at `path` and removes what is left of its folder. When `git worktree
 * remove` refuses (older gits, submodules), only our own admin folder is removed, rather than running
 * `git worktree prune`, which would also drop the user's worktrees on a drive that is not mounted.
 */
export async function removeWorktree(top: string, path: string, adminDir: string | undefined): Promise<void> {
  try {
    await git(top).raw(['worktree', 'remove', '--force', '--force', '--', path]);
  } catch {
    // Fall through to the checks below.
  }
  await rm(path, { recursive: true, force: true });
  if (adminDir !== undefined && (await listWorktrees(top).catch(() => [path])).includes(path)) await forgetAdminDir(adminDir);
}
