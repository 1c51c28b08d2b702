import type { UsageTotals } from '../model/usageLedger';
import type { Plan } from '../../protocol/plan';

/**
 * The synthesis written into the plan when a run ends: what changed, where, what it cost. Built
 * from the workers' own summaries and the run's totals, so it needs no extra model call.
 */
export function summarizeRun(
  plan: Plan,
  result: { readonly status: string; readonly reason?: string; readonly applied: readonly string[] },
  totals: UsageTotals,
  approve: string,
  /** Set when verified steps go to a branch (the CLI's CI mode) instead of the user's files. */
  branch?: string,
): string {
  const lines: string[] = [];
  const done = plan.steps.filter((step) => step.status === 'done');
  lines.push(`${result.status === 'completed' ? 'Completed' : result.status === 'cancelled' ? 'Cancelled' : 'Failed'}: ${done.length} of ${plan.steps.length} steps done.${result.reason !== undefined ? ` ${result.reason}` : ''}`);
  for (const step of done) {
    const files = step.changedFiles.length > 0 ? step.changedFiles.join(', ') : 'no files';
    lines.push(`- ${step.id} ${step.title} (${files}): ${step.workerSummary ?? 'done'}`);
  }
  const changed = [...new Set(done.flatMap((step) => step.changedFiles))];
  if (branch !== undefined) lines.push(`Nothing was written to the working tree: verified steps are committed to the branch ${branch}.`);
  else if (approve === 'never') lines.push(`Dry run: nothing was written to your files (${changed.length} file(s) would change).`);
  else if (result.applied.length > 0) lines.push(`Applied to your files: ${result.applied.join(', ')}.`);
  else if (changed.length > 0) lines.push('Nothing was applied to your files.');
  const priced = totals.unpricedCalls > 0 ? ` (+${totals.unpricedCalls} unpriced calls)` : '';
  // No call had a price: $0.0000 would read as free.
  const dollars = totals.unpricedCalls > 0 && totals.unpricedCalls === totals.calls ? 'unknown (no price for the model)' : `$${totals.costUsd.toFixed(4)}${priced}`;
  lines.push(`Cost: ${dollars} over ${totals.calls} model calls, ${totals.usage.inputTokens + totals.usage.cacheReadTokens + totals.usage.cacheWriteTokens} input and ${totals.usage.outputTokens} output tokens.`);
  return lines.join('\n');
}
