import type { BranchCommitted, CiVerdict } from '../protocol/branchCommit';
import { describeCost, formatTokens } from '../protocol/cost';
import type { Plan, PlanStep, ReviewRecord } from '../protocol/plan';
import type { RunEvent } from '../protocol/run';
import { plumblineVersion } from '../protocol/version';
import { codeBlock, inlineCode, inlineText } from './markdownSafe';

/**
 * The markdown report of a CI run, written for a pull request's body and the job's summary: the
 * verdict, the plan with each step's files and test evidence, review findings, cost, and how to
 * review the branch. Everything a model, a test or an issue wrote goes through `markdownSafe`, so
 * the report cannot mention people, link anywhere, or show markup of theirs.
 */

/** What a CI run observed, gathered from its events. */
export interface CiObservation {
  readonly task: string;
  readonly taskSource: string;
  readonly runId?: string;
  readonly plan?: Plan;
  readonly branch?: BranchCommitted;
  readonly reviews: readonly { readonly stepId?: string; readonly review: ReviewRecord }[];
  readonly usage?: Extract<RunEvent, { type: 'usage' }>['run'];
  readonly finished?: Extract<RunEvent, { type: 'run/finished' }>;
  /** Why the run could not start or follow (the server refused, died). */
  readonly error?: string;
}

/** GitHub refuses a pull request body over 65,536 characters: the report stays under it. */
export const maxReportChars = 60_000;

const verdictWords: Record<CiVerdict, string> = {
  verified: 'every step passed its tests and is committed',
  partial: 'some steps passed their tests and are committed; the rest are listed below with why',
  failed: 'no step was committed',
  empty: 'the task needed no change',
};

/** The run's verdict as the CI mode reports it: the engine's, or `failed` when the run ended without one. */
export function verdictOf(observed: Pick<CiObservation, 'branch'>): CiVerdict {
  return observed.branch?.verdict ?? 'failed';
}

export function ciReport(observed: CiObservation, options: { readonly detailed?: boolean } = {}): string {
  const detailed = options.detailed ?? true;
  const verdict = verdictOf(observed);
  const branch = observed.branch;
  const lines: string[] = [];
  const committed = branch?.commits.length ?? 0;
  const total = observed.plan?.steps.length ?? 0;
  lines.push(`## Plumbline: ${verdict}${branch !== undefined && committed > 0 ? `, ${committed} of ${total} step${total === 1 ? '' : 's'} on ${inlineCode(branch.branch)}` : ''}`, '');
  lines.push(`**Verdict: ${verdict}**: ${verdictWords[verdict]}.`, '');
  if (observed.error !== undefined) lines.push(`**The run did not complete:** ${inlineText(observed.error, 1000)}`, '');
  if (observed.finished?.reason !== undefined) lines.push(`**How the run ended:** ${observed.finished.status}: ${inlineText(observed.finished.reason, 1000)}`, '');
  if (branch?.error !== undefined) lines.push(`**The branch could not be written:** ${inlineText(branch.error, 1000)}`, '');
  lines.push(`**Task** (from ${inlineText(observed.taskSource, 100)}):`, '', codeBlock(observed.task, detailed ? 4000 : 600), '');
  if (observed.runId !== undefined) lines.push(`**Run:** ${inlineCode(observed.runId)}${branch !== undefined ? ` · **branch:** ${inlineCode(branch.branch)} from ${inlineCode(branch.base.slice(0, 12))}${committed > 0 ? ` (${committed} commit${committed === 1 ? '' : 's'})` : ' (not created: nothing to commit)'}` : ''}`, '');

  if (observed.plan !== undefined) {
    lines.push('### Plan', '', inlineText(observed.plan.summary, 2000), '');
    for (const [index, step] of observed.plan.steps.entries()) lines.push(...stepLines(index + 1, step, branch, detailed));
    lines.push('');
  }

  const findings = observed.reviews.filter((entry) => entry.review.findings.length > 0 || entry.review.outcome !== 'approved');
  if (findings.length > 0) {
    lines.push('### Review findings', '');
    for (const { stepId, review } of findings) {
      lines.push(`- ${stepId !== undefined ? `${inlineCode(stepId)}${review.attempt !== undefined ? ` attempt ${review.attempt}` : ''}` : 'the whole change'}: **${review.outcome}**, ${inlineText(review.summary, 600)}`);
      for (const finding of review.findings.slice(0, detailed ? 30 : 5)) {
        lines.push(`  - ${inlineCode(`${finding.path}${finding.line !== undefined ? `:${finding.line}` : ''}`)}: ${inlineText(finding.problem, 400)} Suggested: ${inlineText(finding.suggestion, 400)}`);
      }
    }
    lines.push('');
  }

  const usage = observed.usage;
  const tokens = usage !== undefined ? usage.usage.inputTokens + usage.usage.outputTokens + usage.usage.cacheReadTokens + usage.usage.cacheWriteTokens : 0;
  lines.push('### Cost', '');
  lines.push(
    usage === undefined
      ? '- No model call was made.'
      : `- ${describeCost({ usd: usage.costUsd, unpricedCalls: usage.unpricedCalls, tokens })} over ${usage.calls} model call${usage.calls === 1 ? '' : 's'}: ${formatTokens(usage.usage.inputTokens + usage.usage.cacheReadTokens + usage.usage.cacheWriteTokens)} in (${formatTokens(usage.usage.cacheReadTokens)} from the cache), ${formatTokens(usage.usage.outputTokens)} out.`,
    '',
  );

  if (branch !== undefined && committed > 0) {
    const name = branch.branch;
    lines.push(
      '### Review the branch',
      '',
      `Each commit on ${inlineCode(name)} is one verified step; its message lists the step's files and test evidence (trailers \`Plumbline-Step\`, \`Plumbline-Tests\`).`,
      '',
      ...(name.startsWith('plumbline/')
        ? [
            `- **In VS Code:** fetch it (${inlineCode(`git fetch origin ${name}`)}), then run **Plumbline: Review Branch…** and pick ${inlineCode(name)}: the plan and evidence show in the sidebar, and you accept or reject each hunk into your working tree.`,
            `- **On a terminal:** ${inlineCode(`git fetch origin ${name} && plumbline review-branch ${name}`)}`,
          ]
        : [
            `- **With git:** ${inlineCode(`git fetch origin ${name} && git log -p HEAD..FETCH_HEAD`)} (Plumbline: Review Branch… and ${inlineCode('plumbline review-branch')} list ${inlineCode('plumbline/*')} branches; name the branch so with --commit-branch to review it there).`,
          ]),
      '',
    );
  }
  lines.push(`<sub>Plumbline ${plumblineVersion}. The run's journal, plan.md and run.json are in its artifacts; \`plumbline resume --from DIR\` continues an interrupted run.</sub>`, '');
  const report = lines.join('\n');
  if (report.length <= maxReportChars) return report;
  if (detailed) return ciReport(observed, { detailed: false });
  return `${report.slice(0, maxReportChars - 200)}\n\n… The report was cut to fit a pull request; the full plan is in the run's artifacts (plan.md).\n`;
}

function stepLines(position: number, step: PlanStep, branch: BranchCommitted | undefined, detailed: boolean): string[] {
  const commit = branch?.commits.find((entry) => entry.stepId === step.id);
  const missing = branch?.notCommitted.find((entry) => entry.stepId === step.id);
  const state = commit !== undefined ? `committed ${inlineCode(commit.commit.slice(0, 12))}` : missing !== undefined ? `**not committed**: ${inlineText(missing.reason, 600)}` : step.status === 'done' ? 'done, no files changed' : inlineText(step.status);
  const lines = [`${position}. ${inlineCode(step.id)} ${inlineText(step.title, 200)}: ${state}`];
  const files = commit?.files ?? step.changedFiles;
  if (files.length > 0) lines.push(`   - Files: ${files.slice(0, 50).map((path) => inlineCode(path)).join(', ')}${files.length > 50 ? ` and ${files.length - 50} more` : ''}`);
  if (commit !== undefined) {
    const evidence = commit.evidence;
    const before = evidence.before !== undefined ? `before ${String(evidence.before.passed ?? 0)} passed, ${String(evidence.before.failed ?? 0)} failed → ` : '';
    lines.push(`   - Tests: ${before}after ${String(evidence.passed ?? 0)} passed, ${String(evidence.failed ?? 0)} failed · ${inlineCode(evidence.command)} · ${(evidence.durationMs / 1000).toFixed(1)} s`);
    lines.push(`   - Verification: ${inlineText(evidence.reason, 600)}`);
    for (const left of commit.leftOut) lines.push(`   - **Left out** (runs code; verification ran its earlier version): ${inlineCode(left.path)}, ${inlineText(left.reason, 200)}`);
  } else if (detailed) {
    const last = step.attempts.at(-1);
    if (last?.detail !== undefined && step.status !== 'done') {
      lines.push(`   - Attempt ${last.number}${last.outcome !== undefined ? ` (${last.outcome})` : ''}:`, '', indent(codeBlock(last.detail, 1500)), '');
    }
  }
  return lines;
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');
}
