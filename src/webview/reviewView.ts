import { describeCost, formatTokens } from '../protocol/cost';
import type { Attempt, ReviewRecord } from '../protocol/plan';
import { formatCost, h, icon } from './dom';

/**
 * The reviewer's verdicts in the sidebar's plan. Summaries and findings are model output: they go
 * in as text nodes only (never markdown or HTML), so nothing in them renders as a link or markup.
 */

/** `$0.0012 · 1.2k tokens`, or `840 tokens (unpriced)` when the model has no price. */
export function usageText(usage: { readonly tokens: number; readonly usd: number; readonly unpricedCalls: number }): string {
  if (usage.unpricedCalls > 0) return describeCost({ usd: usage.usd, unpricedCalls: usage.unpricedCalls, tokens: usage.tokens }, formatCost);
  return `${formatCost(usage.usd)} · ${formatTokens(usage.tokens)}`;
}

/** After an attempt's outcome: the model that ran it (an escalated retry shows the strong one) and its cost. */
export function attemptModelText(attempt: Attempt): string {
  return [attempt.model !== undefined ? ` · ${attempt.model}` : '', attempt.usage !== undefined ? ` · ${usageText(attempt.usage)}` : ''].join('');
}

const outcomeLabels: Record<ReviewRecord['outcome'], string> = { approved: 'approved', revise: 'revise', failed: 'no verdict' };

export function reviewItem(review: ReviewRecord, label: string): HTMLLIElement {
  const failing = review.checks.filter((check) => !check.ok);
  const overruled = review.verdict === 'approve' && review.outcome === 'revise' ? ' (an objective check failed)' : '';
  return h(
    'li',
    { class: `review outcome-${review.outcome}` },
    icon(review.outcome === 'approved' ? 'pass' : review.outcome === 'revise' ? 'edit' : 'error'),
    ` ${label}: ${outcomeLabels[review.outcome]}${overruled} · ${review.model} · ${usageText(review)} · ${(review.durationMs / 1000).toFixed(1)} s`,
    h('p', { class: 'review-summary' }, review.summary),
    review.findings.length > 0
      ? h(
          'ul',
          { class: 'review-findings', 'aria-label': 'Findings' },
          ...review.findings.map((finding) =>
            h(
              'li',
              { class: 'review-finding' },
              h('code', {}, `${finding.path}${finding.line !== undefined ? `:${String(finding.line)}` : ''}`),
              ` ${finding.problem} `,
              h('span', { class: 'review-suggestion' }, `→ ${finding.suggestion}`),
            ),
          ),
        )
      : null,
    failing.length > 0 ? h('ul', { class: 'review-checks', 'aria-label': 'Failing checks' }, ...failing.map((check) => h('li', {}, icon('warning'), ` ${check.id}: ${check.detail}`))) : null,
  );
}

/** A step's reviews, one item per reviewed attempt. */
export function stepReviews(reviews: readonly ReviewRecord[] | undefined): HTMLUListElement | null {
  if (reviews === undefined || reviews.length === 0) return null;
  return h('ul', { class: 'reviews', 'aria-label': 'Reviews' }, ...reviews.map((review, index) => reviewItem(review, `Review of attempt ${String(review.attempt ?? index + 1)}`)));
}
