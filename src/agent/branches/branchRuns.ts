import { branchNameProblem, type BranchRun, type BranchStep } from '../../protocol/branchReview';
import { stepIdPattern } from '../../protocol/plan';
import { runGit } from '../gitProcess';
import { parseCommitObject, type ParsedCommit } from './commitMessage';

/**
 * The `plumbline/*` branches of a repository and the run each carries, read with git alone: every
 * name is checked (`branchNameProblem`) before it is passed on, every commit id is checked to be
 * one, and git gets only literals, ids and full ref names, never an argument a branch could turn
 * into an option.
 */

/** A run's branch is a few commits; one with more is not what `plumbline run --ci` makes. */
export const maxBranchCommits = 200;
/** Newest first, this many are listed. */
const maxListed = 50;

export class BranchReviewError extends Error {
  override readonly name = 'BranchReviewError';
}

export interface ResolvedBranch {
  /** As the user names it: `plumbline/<id>` or `<remote>/plumbline/<id>`. */
  readonly name: string;
  readonly ref: string;
  readonly remote?: string;
  readonly tip: string;
}

export interface BranchCommit {
  readonly sha: string;
  readonly message: ParsedCommit;
  /** Paths the commit changed against its first parent. */
  readonly files: readonly string[];
}

export interface BranchHistory extends ResolvedBranch {
  readonly mergeBase: string;
  /** Oldest first. */
  readonly commits: readonly BranchCommit[];
}

const commitIdPattern = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function commitId(text: string, what: string): string {
  const id = text.trim();
  if (!commitIdPattern.test(id)) throw new BranchReviewError(`git answered something that is not a commit id for ${what}.`);
  return id;
}

/** The full ref a checked name stands for; a short name is the user's branch when it starts with `plumbline/`, a remote's otherwise. */
function refOf(name: string): { ref: string; remote?: string; shortName: string } {
  if (name.startsWith('refs/heads/')) return { ref: name, shortName: name.slice('refs/heads/'.length) };
  if (name.startsWith('refs/remotes/')) return refOf(name.slice('refs/remotes/'.length));
  if (name.startsWith('plumbline/')) return { ref: `refs/heads/${name}`, shortName: name };
  const remote = name.slice(0, name.indexOf('/'));
  return { ref: `refs/remotes/${name}`, remote, shortName: name };
}

/** Resolves a branch name (checked first) to its tip commit, or says it is not there. */
export async function resolveBranch(root: string, name: string): Promise<ResolvedBranch> {
  const problem = branchNameProblem(name);
  if (problem !== undefined) throw new BranchReviewError(`Cannot review ${JSON.stringify(name)}: ${problem}.`);
  const { ref, remote, shortName } = refOf(name);
  const tip = await tipOf(root, ref);
  if (tip !== undefined) return { name: shortName, ref, tip, ...(remote !== undefined ? { remote } : {}) };
  // `plumbline/x` fetched but never checked out: the one remote that has it (`git fetch origin plumbline/x` makes origin/plumbline/x).
  if (name.startsWith('plumbline/')) {
    const fetched = (await runGit(root, ['for-each-ref', '--format=%(refname)', 'refs/remotes/'])).split('\n').filter((candidate) => /^refs\/remotes\/[^/]+\/plumbline\//.test(candidate) && candidate.slice('refs/remotes/'.length).replace(/^[^/]+\//, '') === name);
    const [only] = fetched;
    if (fetched.length === 1 && only !== undefined && branchNameProblem(only.slice('refs/remotes/'.length)) === undefined) return resolveBranch(root, only.slice('refs/remotes/'.length));
    if (fetched.length > 1) throw new BranchReviewError(`${name} is not one of your branches, and more than one remote has it: name one (${fetched.map((candidate) => candidate.slice('refs/remotes/'.length)).join(', ')}).`);
  }
  throw new BranchReviewError(`There is no branch ${shortName} here${remote !== undefined ? ` (fetch it first: git fetch ${remote})` : ' (fetch it first: git fetch origin)'}; "plumbline review-branch" without a name lists the plumbline/* branches.`);
}

/** The commit a full ref names, or undefined when there is no such ref. */
async function tipOf(root: string, ref: string): Promise<string | undefined> {
  let out: string;
  try {
    out = await runGit(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
  return commitId(out, ref);
}

/** The branch's commits since it left HEAD's history (`merge-base(HEAD, branch)..branch`), each with its message and files. */
export async function readBranchHistory(root: string, branch: ResolvedBranch, options: { files: boolean } = { files: true }): Promise<BranchHistory> {
  let mergeBase: string;
  try {
    mergeBase = commitId(await runGit(root, ['merge-base', 'HEAD', branch.tip]), `the merge base of HEAD and ${branch.name}`);
  } catch (error) {
    if (error instanceof BranchReviewError) throw error;
    throw new BranchReviewError(`${branch.name} shares no history with HEAD (or there is no commit checked out), so there is no change to review against your files.`);
  }
  const listed = (await runGit(root, ['rev-list', '--reverse', '--topo-order', `${mergeBase}..${branch.tip}`])).split('\n').filter((line) => line !== '');
  if (listed.length > maxBranchCommits) throw new BranchReviewError(`${branch.name} has ${listed.length} commits since it left HEAD's history; a run's branch has at most ${maxBranchCommits}.`);
  const commits = await Promise.all(
    listed.map(async (line) => {
      const sha = commitId(line, branch.name);
      const [raw, files] = await Promise.all([
        runGit(root, ['cat-file', 'commit', sha]),
        options.files ? runGit(root, ['diff-tree', '-r', '-z', '--no-commit-id', '--name-only', '--no-renames', '--root', sha]) : Promise.resolve(''),
      ]);
      return { sha, message: parseCommitObject(raw), files: files.split('\0').filter((path) => path !== '') };
    }),
  );
  return { ...branch, mergeBase, commits };
}

/** A commit's step as the branch tells it: its trailers, or its place when they are missing or not valid ids. */
export function stepOf(commit: BranchCommit, index: number): BranchStep {
  const { trailers, subject } = commit.message;
  const given = trailers.get('plumbline-step');
  const verdict = trailers.get('plumbline-verdict');
  const tests = trailers.get('plumbline-tests');
  return {
    stepId: given !== undefined && stepIdPattern.test(given) ? given : `c${index + 1}`,
    title: subject === '' ? `Commit ${commit.sha.slice(0, 12)}` : subject,
    ...(verdict !== undefined ? { verdict } : {}),
    ...(tests !== undefined ? { tests } : {}),
    commit: commit.sha,
  };
}

const runIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** The run id the commits agree on (a valid one), or undefined. */
export function runIdOf(commits: readonly BranchCommit[]): string | undefined {
  const ids = new Set(commits.map((commit) => commit.message.trailers.get('plumbline-run')));
  const [only] = ids;
  return ids.size === 1 && only !== undefined && runIdPattern.test(only) ? only : undefined;
}

/** What a listing shows of a branch's history. */
export function describeBranch(history: BranchHistory, files: number): BranchRun {
  const steps = history.commits.map(stepOf);
  const runId = runIdOf(history.commits);
  const last = history.commits[history.commits.length - 1];
  return {
    name: history.name,
    ...(history.remote !== undefined ? { remote: history.remote } : {}),
    tip: history.tip,
    ...(runId !== undefined ? { runId } : {}),
    steps,
    verdict: steps.length > 0 && steps.every((step) => step.verdict === 'verified') ? 'verified' : 'unverified',
    committedAt: last?.message.committedAt ?? new Date(0).toISOString(),
    files,
  };
}

/** The `plumbline/*` branches, local and remote-tracking, newest commit first, each with its run. */
export async function listBranchRuns(root: string): Promise<{ branches: BranchRun[]; unsafeNames: number }> {
  const out = await runGit(root, ['for-each-ref', '--sort=-committerdate', '--format=%(refname)%00%(objectname)', 'refs/heads/plumbline/', 'refs/remotes/']);
  let unsafeNames = 0;
  const candidates: ResolvedBranch[] = [];
  for (const line of out.split('\n')) {
    const [ref = '', object = ''] = line.split('\0');
    const local = ref.startsWith('refs/heads/plumbline/');
    const remote = /^refs\/remotes\/[^/]+\/plumbline\//.test(ref);
    if (!local && !remote) continue;
    const name = ref.slice(local ? 'refs/heads/'.length : 'refs/remotes/'.length);
    if (branchNameProblem(name) !== undefined || !commitIdPattern.test(object)) {
      unsafeNames += 1;
      continue;
    }
    candidates.push({ name, ref, tip: object, ...(remote ? { remote: name.slice(0, name.indexOf('/')) } : {}) });
  }
  const described = await Promise.all(
    candidates.slice(0, maxListed).map(async (branch) => {
      try {
        const history = await readBranchHistory(root, branch, { files: false });
        const files = (await runGit(root, ['diff', '--name-only', '-z', '--no-renames', history.mergeBase, history.tip])).split('\0').filter((path) => path !== '').length;
        return describeBranch(history, files);
      } catch {
        // Unrelated history, too many commits: not a run's branch to offer.
        return undefined;
      }
    }),
  );
  return { branches: described.filter((branch): branch is BranchRun => branch !== undefined), unsafeNames };
}
