import { commitTrailers, type CiVerdict, type CommitEvidence } from '../../protocol/branchCommit';
import { revealHidden } from '../../protocol/hiddenCharacters';
import type { Plan, PlanStep } from '../../protocol/plan';
import type { RunStatus } from '../../protocol/run';
import { describeBeforeAfter, type TestEvidence } from '../../protocol/testEvidence';
import type { StagedStep } from './journal';
import { changeProtection } from './protectedExecution';

/**
 * What a run that commits to a branch puts there: one commit per verified step, in plan order, each
 * holding exactly what its verification ran (a file that runs code was tested in its earlier
 * version, so it is left out and named). Decided here from the plan and the staged increments;
 * `branchGit.ts` writes it. Nothing unverified is committed: a step without a passing verification
 * is listed as not committed, with why.
 */

export interface PlannedCommit {
  readonly stepId: string;
  readonly title: string;
  /** Each path's bytes after the step; undefined: the step deleted it. */
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array | undefined }[];
  readonly evidence: CommitEvidence;
  readonly leftOut: readonly { readonly path: string; readonly reason: string }[];
  readonly message: string;
}

export interface BranchPlan {
  readonly commits: readonly PlannedCommit[];
  readonly notCommitted: readonly { readonly stepId: string; readonly title: string; readonly reason: string }[];
  /** Done steps that changed nothing: nothing to commit, and nothing missing. */
  readonly unchanged: readonly string[];
}

/** Decides the branch's commits from the plan (its order and statuses) and the steps' staged increments. */
export function planBranchCommits(plan: Plan, staged: readonly StagedStep[], runId: string): BranchPlan {
  const commits: PlannedCommit[] = [];
  const notCommitted: { stepId: string; title: string; reason: string }[] = [];
  const unchanged: string[] = [];
  for (const step of plan.steps) {
    const title = oneLine(step.title, 200) || `Step ${step.id}`;
    if (step.status !== 'done') {
      notCommitted.push({ stepId: step.id, title, reason: notDoneReason(step) });
      continue;
    }
    const increments = staged.filter((entry) => entry.stepId === step.id);
    const changes = new Map(increments.flatMap((entry) => entry.changes).map((change) => [change.path, change]));
    if (changes.size === 0) {
      unchanged.push(step.id);
      continue;
    }
    const evidence = increments.at(-1)?.evidence;
    if (evidence?.verdict !== 'passed' || evidence.command === null) {
      notCommitted.push({ stepId: step.id, title, reason: evidence === undefined ? 'not verified: no test command ran for it' : `not verified: ${oneLine(evidence.reason, 300)}` });
      continue;
    }
    const files: { path: string; bytes: Uint8Array | undefined }[] = [];
    const leftOut: { path: string; reason: string }[] = [];
    for (const change of changes.values()) {
      const reason = changeProtection(change);
      if (reason !== undefined) leftOut.push({ path: change.path, reason });
      else files.push({ path: change.path, bytes: change.after });
    }
    if (files.length === 0) {
      notCommitted.push({ stepId: step.id, title, reason: `every file it changed runs code and was never executed by its verification: ${leftOut.map((entry) => entry.path).join(', ')}` });
      continue;
    }
    const commitEvidence = evidenceOf(evidence, evidence.command);
    commits.push({ stepId: step.id, title, files, evidence: commitEvidence, leftOut, message: commitMessage({ runId, stepId: step.id, title, files, leftOut, evidence: commitEvidence }) });
  }
  return { commits, notCommitted, unchanged };
}

/** `verified`: every step committed whole; `partial`: some; `failed`: none; `empty`: nothing needed changing. */
export function ciVerdict(status: RunStatus, branch: Pick<BranchPlan, 'commits' | 'notCommitted'>): CiVerdict {
  if (branch.commits.length === 0) return status === 'completed' && branch.notCommitted.length === 0 ? 'empty' : 'failed';
  const whole = branch.commits.every((commit) => commit.leftOut.length === 0);
  return status === 'completed' && whole && branch.notCommitted.length === 0 ? 'verified' : 'partial';
}

function notDoneReason(step: PlanStep): string {
  if (step.status === 'failed') return `failed: ${oneLine(step.error ?? 'verification did not pass', 300)}`;
  if (step.status === 'skipped' || step.status === 'cancelled') return `${step.status}${step.error !== undefined ? `: ${oneLine(step.error, 300)}` : ''}`;
  return `not finished (${step.status})`;
}

function evidenceOf(evidence: TestEvidence, command: string): CommitEvidence {
  const before = evidence.baseline !== undefined ? { before: { ...(evidence.baseline.passed !== undefined ? { passed: evidence.baseline.passed } : {}), ...(evidence.baseline.failed !== undefined ? { failed: evidence.baseline.failed } : {}) } } : {};
  return {
    ...(evidence.passed !== undefined ? { passed: evidence.passed } : {}),
    ...(evidence.failed !== undefined ? { failed: evidence.failed } : {}),
    ...before,
    command: oneLine(command, 500),
    durationMs: evidence.durationMs,
    reason: oneLine(`${evidence.reason}${describeBeforeAfter(evidence) !== '' ? ` (${describeBeforeAfter(evidence)})` : ''}`, 600),
  };
}

/**
 * Text that may come from a model or a test's output, made safe for one line of a commit message:
 * no line breaks (which could start a paragraph of forged trailers), no control characters, hidden
 * characters shown, and capped.
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = revealHidden(text).text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/**
 * A step's commit message: the title as the subject; a body with the step's files and its test
 * evidence in words; and the trailers, always the last paragraph and always only these, each on one
 * line (nothing from the model can end up in it).
 */
export function commitMessage(input: {
  readonly runId: string;
  readonly stepId: string;
  readonly title: string;
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array | undefined }[];
  readonly leftOut: readonly { readonly path: string; readonly reason: string }[];
  readonly evidence: CommitEvidence;
}): string {
  const { evidence } = input;
  const counts = `${String(evidence.passed ?? 0)} passed, ${String(evidence.failed ?? 0)} failed`;
  const body = [
    `Step ${input.stepId} of Plumbline run ${input.runId}, verified before it was committed.`,
    '',
    'Files:',
    ...input.files.map((file) => `- ${oneLine(file.path, 500)}${file.bytes === undefined ? ' (deleted)' : ''}`),
    '',
    `Tests: ${oneLine(evidence.reason, 600)}`,
    `Command: ${evidence.command}, ${seconds(evidence.durationMs)} s.`,
    ...(input.leftOut.length > 0
      ? ['', 'Left out: these files run code, so verification ran with their earlier version; review them in the run\'s report:', ...input.leftOut.map((entry) => `- ${oneLine(entry.path, 500)} (${oneLine(entry.reason, 200)})`)]
      : []),
  ];
  const trailers = [
    `${commitTrailers.run}: ${oneLine(input.runId, 100)}`,
    `${commitTrailers.step}: ${oneLine(input.stepId, 100)}`,
    `${commitTrailers.verdict}: verified`,
    `${commitTrailers.tests}: ${counts}; ${evidence.command}; ${seconds(evidence.durationMs)} s`,
  ];
  return `${oneLine(input.title, 200) || `Step ${input.stepId}`}\n\n${body.join('\n')}\n\n${trailers.join('\n')}\n`;
}
