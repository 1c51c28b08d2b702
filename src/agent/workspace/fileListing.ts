import type { Dirent } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../gitProcess';
import { globMatcher } from './glob';
import { checkPathSyntax, resolveWorkspacePath } from './workspacePaths';
import type { ListOptions, ListResult } from '../../tools/workspacePort';

/** Folders that are build output, dependencies or tool state when there is no .gitignore to say so. */
export const defaultSkippedFolders: readonly string[] = ['.git', 'node_modules', '.plumbline', 'dist', 'out', 'build', 'target', '.venv', '__pycache__', '.next'];

/** Upper bound on a walk outside git, so a workspace opened on a home folder cannot stall a run. */
const maxWalkedFiles = 200_000;
const batchSize = 64;

export interface Candidates {
  /** Sorted workspace-relative paths; from git they may include files deleted since (check with isListableFile). */
  readonly paths: readonly string[];
  readonly verified: boolean;
  readonly truncated: boolean;
}

/** Code-unit order: stable across platforms and locales, unlike localeCompare. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `path` or any folder above it matches one of the ignore predicates. */
function ignoredBy(matchers: readonly ((path: string) => boolean)[], path: string): boolean {
  if (matchers.length === 0) return false;
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    const folder = path.slice(0, slash);
    if (matchers.some((matches) => matches(folder))) return true;
  }
  return matchers.some((matches) => matches(path));
}

function isPlainPath(path: string): boolean {
  try {
    checkPathSyntax(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `git ls-files` honours .gitignore, .git/info/exclude and the global excludes, and lists untracked
 * files that are not ignored. Undefined outside a work tree or when git cannot run, so the caller walks.
 */
async function gitPaths(root: string): Promise<string[] | undefined> {
  try {
    // runGit puts core.fsmonitor=false first (a workspace's own config could name a hook program;
    // listing files must never run it) and drops ambient GIT_* variables.
    const output = await runGit(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], 20_000);
    // Unmerged paths appear once per stage; untracked nested repositories appear as `dir/`.
    return [...new Set(output.split('\0'))].filter((path) => path !== '' && !path.endsWith('/'));
  } catch {
    return undefined;
  }
}

/** Walks the tree without git, skipping the usual heavy folders and never following linked folders. */
async function walkPaths(root: string, skip: (path: string, name: string) => boolean): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  const pending: string[] = [''];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = [];
      for await (const entry of await opendir(join(root, folder))) entries.push(entry);
    } catch {
      continue; // unreadable folders are left out rather than failing the whole listing
    }
    for (const entry of entries) {
      const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (skip(path, entry.name)) continue;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && (await isListableFile(root, path)))) paths.push(path);
      if (paths.length >= maxWalkedFiles) return { paths: paths.sort(comparePaths), truncated: true };
    }
  }
  return { paths: paths.sort(comparePaths), truncated: false };
}

/** Every candidate file in the workspace, before the caller's path/glob filter. */
export async function listCandidates(root: string, ignore: readonly string[]): Promise<Candidates> {
  const ignoreMatchers = ignore.map(globMatcher);
  const fromGit = await gitPaths(root);
  if (fromGit !== undefined) {
    // .plumbline is the agent's own state; hide it even when the project forgot to ignore it.
    const paths = fromGit.filter((path) => isPlainPath(path) && !ignoredBy([...ignoreMatchers, globMatcher('.plumbline')], path));
    return { paths: paths.sort(comparePaths), verified: false, truncated: false };
  }
  const skipped = new Set(defaultSkippedFolders);
  const walked = await walkPaths(root, (path, name) => skipped.has(name) || name.toLowerCase() === '.git' || ignoreMatchers.some((matches) => matches(path)));
  return { paths: walked.paths, verified: true, truncated: walked.truncated };
}

/**
 * A regular file, or a link to a file inside the workspace. Git lists deleted-but-tracked files and
 * submodule folders; links pointing outside are refused by readFile, so they are not offered.
 */
export async function isListableFile(root: string, path: string): Promise<boolean> {
  try {
    const entry = await lstat(join(root, path));
    if (entry.isFile()) return true;
    if (!entry.isSymbolicLink() || !(await stat(join(root, path))).isFile()) return false;
    await resolveWorkspacePath(root, path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The filter for ListOptions: a folder prefix (the folder itself or anything under it) and a glob.
 * The glob is tried against the workspace-relative path and, when a folder is given, against the
 * path relative to that folder, so `path: "src", glob: "lib/*.ts"` means what it looks like.
 */
export async function createListFilter(root: string, options: Pick<ListOptions, 'path' | 'glob'>): Promise<(path: string) => boolean> {
  const folder = options.path === undefined || options.path === '' ? '' : (await resolveWorkspacePath(root, options.path, { allowRoot: true })).relative;
  const glob = options.glob === undefined || options.glob === '' ? undefined : globMatcher(options.glob);
  return (path) => {
    if (folder !== '' && path !== folder && !path.startsWith(`${folder}/`)) return false;
    if (glob === undefined) return true;
    return glob(path) || (folder !== '' && path !== folder && glob(path.slice(folder.length + 1)));
  };
}

/** The first `limit` paths that pass `keep`, checking in ordered batches so a small limit stays cheap. */
export async function takeFirst(paths: readonly string[], limit: number, keep: (path: string) => Promise<boolean>): Promise<ListResult> {
  const cap = Math.max(0, Math.floor(limit));
  const kept: string[] = [];
  for (let start = 0; start < paths.length; start += batchSize) {
    const batch = paths.slice(start, start + batchSize);
    const verdicts = await Promise.all(batch.map(keep));
    for (const [index, path] of batch.entries()) {
      if (verdicts[index] !== true) continue;
      if (kept.length === cap) return { paths: kept, truncated: true };
      kept.push(path);
    }
  }
  return { paths: kept, truncated: false };
}
