import type { Plan, PlanStep } from '../../protocol/plan';
import { stepOf, runIdOf, type BranchHistory } from './branchRuns';

/**
 * A branch's run as a plan the sidebar, plan.md and the terminal already know how to show: one
 * done step per commit (its subject the title, its body the instructions, its `Plumbline-Tests`
 * trailer the attempt's evidence). Commit messages are untrusted text: they are shown, never
 * followed. A commit that does not say `Plumbline-Verdict: verified` is shown as not verified.
 */
export function branchPlan(reviewId: string, task: string, history: BranchHistory): Plan {
  const used = new Set<string>();
  const steps = history.commits.map((commit, index): PlanStep => {
    const step = stepOf(commit, index);
    // Two commits naming the same step (hand-made, or hostile) still get ids of their own.
    let id = step.stepId;
    for (let n = 2; used.has(id); n++) id = `${step.stepId.slice(0, 28)}-${n}`;
    used.add(id);
    const verified = step.verdict === 'verified';
    const evidence = step.tests !== undefined ? `Tests on the CI runner: ${step.tests}` : 'No test evidence in the commit message.';
    return {
      id,
      title: step.title,
      instructions: withoutControls(commit.message.body) || '(no description in the commit message)',
      files: [...commit.files],
      dependsOn: [],
      status: 'done',
      attempts: [
        {
          number: 1,
          startedAt: commit.message.committedAt,
          endedAt: commit.message.committedAt,
          outcome: verified ? 'passed' : 'error',
          detail: verified ? evidence : `Not marked verified by a Plumbline run (Plumbline-Verdict: ${step.verdict ?? 'missing'}). ${evidence}`,
        },
      ],
      workerSummary: `Commit ${commit.sha.slice(0, 12)}${verified ? ', verified' : ', not verified'}. ${evidence}`,
      changedFiles: [...commit.files],
    };
  });
  const runId = runIdOf(history.commits);
  const unverified = steps.filter((step) => step.attempts[0]?.outcome !== 'passed').map((step) => step.id);
  const notes = [
    `From branch ${history.name} (${history.tip.slice(0, 12)}), ${history.commits.length} commit${history.commits.length === 1 ? '' : 's'} since merge base ${history.mergeBase.slice(0, 12)}${runId !== undefined ? `, CI run ${runId}` : ''}. The commit messages are shown as they are; they came from the branch.`,
    ...(unverified.length > 0 ? [`Not verified by a Plumbline run: ${unverified.join(', ')}. Review them with care.`] : []),
  ];
  return {
    runId: reviewId,
    task,
    summary: `Review of ${history.name}: ${steps.map((step) => step.title).join('; ')}`.slice(0, 2000),
    status: 'running',
    steps,
    notes,
    cost: { usd: 0, unpricedCalls: 0 },
    revision: 1,
  };
}

/** Multi-line text without control characters other than line breaks and tabs (an escape sequence stays text). */
function withoutControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ').trim();
}
