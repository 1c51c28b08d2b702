// Compares a verification's tests with the baseline's (the suite before the run), so a step cannot
// pass by making tests stop running: removed, skipped, a file that exits before its tests report,
// a runner stopped early. Tests are matched by name where both outputs name them, as a multiset
// (two files may each hold a test called "works"), and by counts where they do not.
import type { TestRecord, TestSummary } from './testOutputFormats';

export interface Comparison {
  /** Tests that passed before the run and did not run now (absent or skipped), not declared by the step. */
  readonly missing: string[];
  /** Tests the step declared it removes or renames, gone as declared. */
  readonly removed: string[];
  /** Fewer tests ran than before, and the names the outputs give do not account for it. */
  readonly countDrop?: { readonly what: 'passed' | 'ran'; readonly before: number; readonly after: number };
}

/** How a test is named to people and matched between runs: `file › name`, or the name alone. */
export function testKey(test: TestRecord): string {
  return test.file === undefined || test.wholeFile === true ? test.name : `${test.file} › ${test.name}`;
}

/** Whether a name the plan step declared (`removes_tests`) names `test`: its key, its name, its file, or the end of its qualified name. */
export function declares(declared: string, test: TestRecord): boolean {
  const name = declared.trim();
  if (name === '') return false;
  if (name === test.name || name === testKey(test)) return true;
  // A suite, or a test with subtests, names everything in it.
  if (test.name.startsWith(`${name} › `) || testKey(test).startsWith(`${name} › `)) return true;
  if (test.file !== undefined && (name === test.file || test.file.endsWith(`/${name}`))) return true;
  // `greets` names `suite › greets`; pytest's `test_x` names `Class::test_x`; vitest writes `a > b`.
  return [' › ', ' > ', '::'].some((separator) => test.name.endsWith(`${separator}${name}`) || testKey(test).endsWith(`${separator}${name}`));
}

class Multiset {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** Takes one `key` out; false when there was none left. */
  take(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count === 0) return false;
    this.counts.set(key, count - 1);
    return true;
  }
}

/** `after` against `before`; `declared` are the names the plan step says it removes or renames. */
export function compareWithBaseline(before: TestSummary, after: TestSummary, declared: readonly string[] = []): Comparison {
  const ran = new Multiset();
  const listed = new Multiset();
  const filesRan = new Set<string>();
  for (const test of after.tests ?? []) {
    if (test.wholeFile !== true) listed.add(testKey(test));
    if (test.status === 'skipped') continue;
    if (test.wholeFile !== true) ran.add(testKey(test));
    if (test.file !== undefined) filesRan.add(test.file);
  }
  const missing: string[] = [];
  const removed: string[] = [];
  let gonePassed = 0;
  let goneListed = 0;
  // A whole file removed as declared: how many tests it held is unknown, so counts prove nothing more.
  let removedFile = false;
  const gone = (test: TestRecord): void => {
    if (declared.some((name) => declares(name, test))) {
      removed.push(testKey(test));
      if (test.wholeFile === true) removedFile = true;
    } else missing.push(testKey(test));
  };
  for (const test of before.tests ?? []) {
    if (test.wholeFile === true) {
      if (test.status === 'passed' && test.file !== undefined && !filesRan.has(test.file)) gone(test);
      continue;
    }
    if (!listed.take(testKey(test))) goneListed++;
    if (test.status !== 'passed' || ran.take(testKey(test))) continue;
    gonePassed++;
    gone(test);
  }
  // Where both outputs name their passing tests one by one, the names decide (node counts a test with
  // subtests as one more, so its counts would disagree); where either names only failures or files,
  // the counts must agree too, less what the names and the step's declarations account for.
  let countDrop: Comparison['countDrop'];
  if (!removedFile && !(namesPassing(before) && namesPassing(after))) {
    if (before.passed !== undefined && after.passed !== undefined && after.passed < before.passed - gonePassed - declared.length) {
      countDrop = { what: 'passed', before: before.passed, after: after.passed };
    } else if (before.total !== undefined && after.total !== undefined && after.total < before.total - goneListed - declared.length) {
      countDrop = { what: 'ran', before: before.total, after: after.total };
    }
  }
  return { missing, removed, ...(countDrop !== undefined ? { countDrop } : {}) };
}

/** Whether the output names each passing test, not only failures or files. */
function namesPassing(summary: TestSummary): boolean {
  return summary.passed === 0 || (summary.tests ?? []).some((test) => test.wholeFile !== true && test.status === 'passed');
}

/** Whether the output shows any test that ran: counts, or names. Exit 0 with nothing shown proves nothing. */
export function showsTests(summary: TestSummary): boolean {
  return summary.total !== undefined || (summary.passed ?? 0) > 0 || (summary.tests?.length ?? 0) > 0;
}
