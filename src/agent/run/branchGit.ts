import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitTrailers } from '../../protocol/branchCommit';
import { runGit, type GitInput } from '../gitProcess';
import type { PlannedCommit } from './branchCommits';

/**
 * Git for a run that commits to a branch: settling the branch before the run starts, and writing
 * its commits with plumbing only (a temporary index, `hash-object`, `write-tree`, `commit-tree`,
 * `update-ref`), so the checked-out branch, HEAD, the index and the working tree are never touched.
 * Hooks are off for every call (`core.hooksPath` points nowhere): nothing in the repository runs.
 */

const noHooks = ['-c', 'core.hooksPath=/dev/null'];
const git = (root: string, args: readonly string[], options?: GitInput): Promise<string> => runGit(root, [...noHooks, ...args], 60_000, options);

/** Why a run cannot commit to a branch here; the message says what to do. */
export class BranchRefusedError extends Error {
  override readonly name = 'BranchRefusedError';
}

/** The commit HEAD points at, or a refusal when there is none (an empty repository, not a repository). */
export async function headCommit(root: string): Promise<string> {
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
  } catch {
    throw new BranchRefusedError(`${root} has no commit to branch from (not a git repository, or nothing committed yet); commit first, then run again.`);
  }
}

/**
 * Checks, before a run starts, that it can commit to `branch` from HEAD: a valid name that no branch
 * has yet, and a working tree whose tracked files are HEAD's (verification tests the working tree,
 * the commits are made on HEAD: they must be the same files). Returns the base commit.
 */
export async function settleBranch(root: string, branch: string): Promise<string> {
  try {
    await git(root, ['check-ref-format', `refs/heads/${branch}`]);
  } catch {
    throw new BranchRefusedError(`"${branch}" is not a valid branch name for git; choose another with --commit-branch.`);
  }
  const base = await headCommit(root);
  if (await branchTip(root, branch) !== undefined) {
    throw new BranchRefusedError(`The branch ${branch} exists already; a run commits to a new branch: choose another name with --commit-branch, or delete it (git branch -D ${branch}).`);
  }
  const status = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const changed = status.split('\0').filter((entry) => entry !== '').map((entry) => entry.slice(3));
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? ` and ${changed.length - 5} more` : '');
    throw new BranchRefusedError(`The working tree has changes that are not committed (${shown}); a run that commits to a branch builds on HEAD, so its tests must run on HEAD's files. Commit or stash them, then run again.`);
  }
  return base;
}

/** The commit a branch points at, or undefined when there is no such branch. */
async function branchTip(root: string, branch: string): Promise<string | undefined> {
  const out = await git(root, ['for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`]);
  const tip = out.trim();
  return tip === '' ? undefined : tip;
}

/**
 * Writes the commits on a chain from `base` and points `branch` at the last one. The branch must
 * not exist, unless it is this run's own (a resumed run that had written it before it stopped).
 * Returns each commit's id, in order.
 */
export async function writeBranchCommits(workspaceRoot: string, target: { readonly branch: string; readonly base: string; readonly runId: string }, commits: readonly PlannedCommit[]): Promise<string[]> {
  const index = join(tmpdir(), `plumbline-index-${process.pid}-${randomBytes(6).toString('hex')}`);
  const env = { GIT_INDEX_FILE: index, ...(await identity(workspaceRoot)) };
  const ids: string[] = [];
  // The workspace may be a folder inside the repository: its paths are relative to that folder.
  const prefix = (await git(workspaceRoot, ['rev-parse', '--show-prefix'])).trim();
  // Plumbing runs at the top, where index paths are spelled.
  const root = (await git(workspaceRoot, ['rev-parse', '--show-toplevel'])).trim();
  try {
    await git(root, ['read-tree', target.base], { env });
    let parent = target.base;
    for (const commit of commits) {
      const entries: string[] = [];
      for (const file of commit.files) {
        if (file.bytes === undefined) {
          entries.push(`0 ${'0'.repeat(parent.length)}\t${prefix}${file.path}\0`);
          continue;
        }
        const blob = (await git(root, ['hash-object', '-w', '--stdin'], { input: file.bytes })).trim();
        entries.push(`${await modeOf(root, env, `${prefix}${file.path}`)} ${blob}\t${prefix}${file.path}\0`);
      }
      await git(root, ['update-index', '-z', '--index-info'], { env, input: entries.join('') });
      const tree = (await git(root, ['write-tree'], { env })).trim();
      parent = (await git(root, ['commit-tree', tree, '-p', parent, '-F', '-'], { env, input: commit.message })).trim();
      ids.push(parent);
    }
  } finally {
    await rm(index, { force: true });
  }
  const head = ids.at(-1);
  if (head === undefined) return ids;
  const existing = await branchTip(root, target.branch);
  if (existing !== undefined && !(await isRunsOwn(root, existing, target.runId))) {
    throw new BranchRefusedError(`The branch ${target.branch} was created by something else while the run went on; its commits are ${ids.join(', ')} (git branch <name> ${head} keeps them).`);
  }
  // Compare-and-swap: the empty old value means "must not exist".
  await git(root, ['update-ref', '-m', `plumbline: run ${target.runId}`, `refs/heads/${target.branch}`, head, existing ?? '']);
  return ids;
}

/** A file's mode in the temporary index (an executable keeps its bit); 100644 for a new file. */
async function modeOf(root: string, env: Readonly<Record<string, string>>, path: string): Promise<string> {
  const out = await git(root, ['ls-files', '-s', '-z', '--', `:(top,literal)${path}`], { env });
  const mode = /^(\d{6}) /.exec(out)?.[1];
  return mode === '100755' ? '100755' : '100644';
}

async function isRunsOwn(root: string, commit: string, runId: string): Promise<boolean> {
  const trailers = await git(root, ['log', '-1', `--format=%(trailers:key=${commitTrailers.run},valueonly)`, commit]).catch(() => '');
  return trailers.split('\n').some((line) => line.trim() === runId);
}

/** The repository's identity when it has one; otherwise Plumbline's, so a runner without git config can still commit. */
async function identity(root: string): Promise<Record<string, string>> {
  const configured = async (key: string): Promise<string> => (await git(root, ['config', '--get', key]).catch(() => '')).trim();
  const [name, email] = await Promise.all([configured('user.name'), configured('user.email')]);
  if (name !== '' && email !== '') return {};
  return { GIT_AUTHOR_NAME: 'Plumbline', GIT_AUTHOR_EMAIL: 'plumbline@noreply.invalid', GIT_COMMITTER_NAME: 'Plumbline', GIT_COMMITTER_EMAIL: 'plumbline@noreply.invalid' };
}
