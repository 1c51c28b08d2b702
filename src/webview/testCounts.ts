// Test counts as the sidebar words them, apart from the DOM code so they can be tested alone.
import { plural } from './dom';

export interface Counts {
  passed: number | null;
  failed: number | null;
  total: number | null;
}

/** Counts as "3 passed, 1 failed of 4"; compared with the baseline, "before 3 passed of 3 → now 2 passed of 2". */
export function testCounts(entry: Counts & { before?: Counts | null | undefined }): string {
  const now = countsOf(entry);
  if (entry.before === undefined || entry.before === null) return now;
  return `before ${countsOf(entry.before) || 'no tests shown'} → now ${now || 'no tests shown'}`;
}

function countsOf(entry: Counts): string {
  const parts = [entry.passed !== null ? `${entry.passed} passed` : null, entry.failed !== null && entry.failed > 0 ? `${entry.failed} failed` : null].filter((part) => part !== null);
  if (parts.length === 0) return entry.total !== null ? plural(entry.total, 'test') : '';
  return `${parts.join(', ')}${entry.total !== null ? ` of ${entry.total}` : ''}`;
}
