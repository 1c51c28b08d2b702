import type { Plan } from '../../protocol/plan';
import type { RunStatus } from '../../protocol/run';
import { ciVerdict, planBranchCommits } from './branchCommits';
import { writeBranchCommits } from './branchGit';
import type { RunContext } from './runContext';

/**
 * The end of a run that commits to a branch (`RunOptions.commitToBranch`): its verified steps go
 * onto the branch, one commit each, in plan order, and `branch/committed` says what is there and
 * what is not. The working tree is never written (the run's approval mode is `never`); what the
 * branch holds was approved by being verified, and its review is the branch itself. Returns the
 * sentence the plan's summary gets, or undefined when the run does not commit to a branch.
 */
export async function commitToBranch(ctx: RunContext, plan: Plan, status: RunStatus): Promise<string | undefined> {
  const target = ctx.options.commitToBranch;
  if (target === undefined) return undefined;
  const { runId } = ctx.options;
  const planned = planBranchCommits(plan, ctx.stagedSteps, runId);
  let ids: string[] = [];
  let error: string | undefined;
  try {
    ids = await writeBranchCommits(ctx.host.workspace.root, { ...target, runId }, planned.commits);
  } catch (failure) {
    error = `Could not write the branch ${target.branch}: ${failure instanceof Error ? failure.message : String(failure)}`;
  }
  const commits = error !== undefined ? [] : planned.commits.map((commit, index) => ({
    stepId: commit.stepId,
    title: commit.title,
    commit: ids[index] ?? '',
    files: commit.files.map((file) => file.path),
    evidence: commit.evidence,
    leftOut: commit.leftOut.map((entry) => ({ ...entry })),
  }));
  const verdict = error !== undefined ? 'failed' : ciVerdict(status, planned);
  const head = ids.at(-1);
  ctx.host.emit({
    type: 'branch/committed',
    runId,
    branch: target.branch,
    base: target.base,
    ...(head !== undefined && error === undefined ? { head } : {}),
    verdict,
    commits,
    notCommitted: planned.notCommitted.map((entry) => ({ ...entry })),
    ...(error !== undefined ? { error } : {}),
  });
  if (error !== undefined) return error;
  if (commits.length === 0) return `Nothing was committed (verdict: ${verdict}); the branch ${target.branch} was not created.`;
  return `Committed ${commits.length} verified step${commits.length === 1 ? '' : 's'} to the branch ${target.branch} (verdict: ${verdict}); your working tree was not touched.`;
}
