import { describeCost, formatTokens } from '../../protocol/cost';
import type { Attempt, ReviewFinding, ReviewRecord } from '../../protocol/plan';
import { quoteLines } from './planFormat';

/**
 * The reviewer's verdicts and each attempt's model and cost, as plan.md shows them. Findings and
 * summaries are model output: they are written as inert text (markup and link syntax escaped), in
 * `>` lines under a read-only field, so they neither render as links or HTML nor read back as edits.
 */

/** Text a model wrote, safe to put in markdown: no HTML, no links, no comment that could close the plan's markers. */
export function inertMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([[\]()`*_\\])/g, '\\$1');
}

/** `$0.0012 · 1.2k tokens`, or `840 tokens (unpriced)` for a model without a price. */
export function describeUsage(usage: { readonly tokens: number; readonly usd: number; readonly unpricedCalls: number }): string {
  if (usage.unpricedCalls > 0) return describeCost({ usd: usage.usd, unpricedCalls: usage.unpricedCalls, tokens: usage.tokens });
  return `$${usage.usd.toFixed(4)} · ${formatTokens(usage.tokens)}`;
}

/** What follows an attempt's outcome and time: the model that ran it and what it cost. */
export function attemptSuffix(attempt: Attempt): string {
  return [attempt.model !== undefined ? ` · ${attempt.model}` : '', attempt.usage !== undefined ? ` · ${describeUsage(attempt.usage)}` : ''].join('');
}

function findingLine(finding: ReviewFinding): string {
  const where = `${finding.path}${finding.line !== undefined ? `:${String(finding.line)}` : ''}`;
  return `- ${inertMarkdown(where)}: ${inertMarkdown(finding.problem)} Suggestion: ${inertMarkdown(finding.suggestion)}`;
}

const outcomes: Record<ReviewRecord['outcome'], string> = { approved: 'approved', revise: 'revise', failed: 'no verdict' };

/** One review: its outcome, model, cost and time on the field line; the summary, findings and failing checks quoted under it. */
function reviewBody(review: ReviewRecord): string[] {
  const failing = review.checks.filter((check) => !check.ok);
  const overruled = review.verdict === 'approve' && review.outcome === 'revise' ? ' (the reviewer approved; an objective check failed)' : '';
  const body = [
    `${inertMarkdown(review.summary)}${overruled}`,
    ...review.findings.map(findingLine),
    ...failing.map((check) => `- Check ${check.id} failed: ${inertMarkdown(check.detail)}`),
  ];
  return quoteLines(body.join('\n'));
}

function reviewHeadline(review: ReviewRecord): string {
  return `${outcomes[review.outcome]} · ${describeUsage(review)} · ${(review.durationMs / 1000).toFixed(1)} s`;
}

/** A step's reviews, after its attempts. */
export function renderStepReviews(reviews: readonly ReviewRecord[] | undefined): string[] {
  return (reviews ?? []).flatMap((review, index) => [`  - Review ${String(review.attempt ?? index + 1)}: ${reviewHeadline(review)} · ${review.model}`, ...reviewBody(review)]);
}

/** The review of the whole change (`plumbline.review.mode` `end`), as a section after the steps. */
export function renderRunReview(review: ReviewRecord | undefined): string[] {
  if (review === undefined) return [];
  return ['', `## Review of the whole change (${review.model}): ${outcomes[review.outcome]}`, '', `${describeUsage(review)} · ${(review.durationMs / 1000).toFixed(1)} s`, '', ...reviewBody(review).map((line) => line.trimStart())];
}
