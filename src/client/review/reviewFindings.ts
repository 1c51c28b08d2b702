import type { Plan, ReviewFinding, ReviewRecord } from '../../protocol/plan';
import type { HunkLayout } from './hunkLayout';

/**
 * The reviewer's findings beside the diff: in the hover of the change whose lines a finding names
 * (a finding without a line goes with the file's first change). Findings are model output and the
 * hover's markdown is trusted for the review's own commands, so every character that markdown,
 * HTML or a theme icon would act on is escaped: a finding can never become a link or a button.
 */

/** A finding with the review it came from. */
export interface ShownFinding extends ReviewFinding {
  /** Absent: the review of the whole change. */
  readonly stepId?: string | undefined;
  readonly outcome: ReviewRecord['outcome'];
  readonly reviewer: string;
}

/** Every finding of the plan's latest review of each step, and of the whole change. */
export function findingsOf(plan: Plan | undefined): ShownFinding[] {
  if (plan === undefined) return [];
  const latest = (review: ReviewRecord | undefined, stepId?: string): ShownFinding[] =>
    review === undefined ? [] : review.findings.map((finding) => ({ ...finding, stepId, outcome: review.outcome, reviewer: review.model }));
  return [...plan.steps.flatMap((step) => latest(step.reviews?.at(-1), step.id)), ...latest(plan.review)];
}

/** Text as markdown shows it literally: markup, links, HTML and `$(icon)` escaped; one line. */
export function literalMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~$:])/g, '\\$1');
}

/** The findings about a file's change: those whose line falls in its lines (with context), or the first change's when they name no line. */
export function findingsForHunk(findings: readonly ShownFinding[], path: string, stepIds: readonly string[], layouts: readonly HunkLayout[], layout: HunkLayout): ShownFinding[] {
  return findings.filter((finding) => {
    if (finding.path !== path || (finding.stepId !== undefined && !stepIds.includes(finding.stepId))) return false;
    if (finding.line === undefined) return layouts[0] === layout;
    const line = finding.line - 1;
    const owner = layouts.find((candidate) => candidate.newRange.start <= line && line <= candidate.newRange.end);
    // A line outside every change goes with the nearest one.
    const nearest = owner ?? [...layouts].sort((a, b) => Math.abs(a.newRange.start - line) - Math.abs(b.newRange.start - line))[0];
    return nearest === layout;
  });
}

export function findingsMarkdown(findings: readonly ShownFinding[]): string {
  if (findings.length === 0) return '';
  const lines = findings.map((finding) => {
    const where = finding.line !== undefined ? `line ${String(finding.line)}` : 'the file';
    const from = finding.stepId !== undefined ? `step ${literalMarkdown(finding.stepId)}` : 'the whole change';
    return `- $(comment) **${where}** (${from}, ${literalMarkdown(finding.reviewer)}): ${literalMarkdown(finding.problem)} _Suggestion:_ ${literalMarkdown(finding.suggestion)}`;
  });
  return [`**Reviewer's findings**`, ...lines].join('\n');
}
