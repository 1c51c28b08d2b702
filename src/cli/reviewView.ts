import type { ReviewRecord } from '../protocol/plan';
import { describeCost, formatTokens } from '../protocol/cost';
import { paint, type Terminal } from './terminal';

/**
 * The reviewer's verdict as the terminal prints it: the outcome, the model, what it cost, then each
 * finding and failing check on its own line. The event reaches here already made terminal-safe
 * (escape sequences in a model's words are shown, not obeyed).
 */
export function describeReviewForTerminal(review: ReviewRecord, stepId: string | undefined, terminal: Pick<Terminal, 'colors'>): string {
  const cost = review.unpricedCalls > 0 ? describeCost({ usd: review.usd, unpricedCalls: review.unpricedCalls, tokens: review.tokens }) : `$${review.usd.toFixed(4)} · ${formatTokens(review.tokens)}`;
  const what = stepId !== undefined ? `${stepId} attempt ${String(review.attempt ?? 1)}` : 'the whole change';
  const mark =
    review.outcome === 'approved' ? paint(terminal, 'green', '✓ review') : review.outcome === 'revise' ? paint(terminal, 'yellow', '↺ review') : paint(terminal, 'red', '✗ review');
  const verdict = review.outcome === 'failed' ? 'no verdict' : review.outcome === 'revise' && review.verdict === 'approve' ? 'revise (an objective check failed)' : review.outcome;
  const lines = [
    `${mark} ${what}: ${verdict}: ${review.summary} ${paint(terminal, 'dim', `(${review.model}, ${cost}, ${(review.durationMs / 1000).toFixed(1)} s)`)}`,
    ...review.findings.map((finding) => `    ${finding.path}${finding.line !== undefined ? `:${String(finding.line)}` : ''}: ${finding.problem} ${paint(terminal, 'dim', `→ ${finding.suggestion}`)}`),
    ...review.checks.filter((check) => !check.ok).map((check) => paint(terminal, 'yellow', `    check ${check.id}: ${check.detail}`)),
  ];
  return lines.join('\n');
}
