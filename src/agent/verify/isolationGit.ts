import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { isolationPrefix } from './isolationPaths';

/**
 * The git calls isolation makes. Every argument is a literal, a commit id checked to be hex, or an
 * absolute path after `--`: nothing a model or user typed reaches git as an option. simple-git
 * drops ambient GIT_* variables, so GIT_DIR or GIT_INDEX_FILE from a hook cannot redirect a call.
 */

export function git(dir: string): SimpleGit {
  // A repository's config may name an fsmonitor command; listing files must never run it.
  return simpleGit({ baseDir: dir, config: ['core.fsmonitor=false'], unsafe: { allowUnsafeFsMonitor: true }, timeout: { block: 60_000 } });
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
  let lines: string[];
  try {
    lines = (await git(folder).raw(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix'])).split('\n');
  } catch {
    return undefined;
  }
  const [inside, top, prefix = ''] = lines;
  if (inside !== 'true' || top === undefined || !isAbsolute(top)) return undefined;
  let head: string | undefined;
  try {
    // --quiet: no commits yet exits 1 without a message, which simple-git returns as empty output.
    head = (await git(top).raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
  } catch {
    head = undefined;
  }
  return { top, prefix: prefix.replace(/\/+$/, ''), head: head !== undefined && /^[0-9a-f]{40,64}$/.test(head) ? head : undefined };
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
export async function addWorktree(top: string, path: string, commit: string): Promise<void> {
  if (!/^[0-9a-f]{40,64}$/.test(commit) || !isAbsolute(path) || path.startsWith('-')) throw new Error(`Refused worktree arguments: ${commit} ${path}`);
  await git(top).raw(['worktree', 'add', '--detach', '--no-checkout', '--', path, commit]);
  // The new work tree has no index: give it HEAD's, so `git status` there shows real differences.
  // It lives in the work tree's own admin folder; the user's index is not touched.
  await git(path).raw(['read-tree', commit]);
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
