import type { TestCounts, TestEvidence } from '../../protocol/testEvidence';
import { describeCounts } from '../../protocol/testEvidence';
import { compareWithBaseline, showsTests, type Comparison } from './baselineComparison';
import { excerptFailure, plainText, type TestSummary } from './parseTestOutput';
import type { ProcessResult } from './processRunner';

/**
 * How a test run becomes a verdict: compared with the baseline test by test, earned only when the
 * output shows tests and every test that passed before still runs. Pure: the verifier gives it the
 * run, what the output says and the baseline.
 */

/** The suite before the run: what every verification is compared with. */
export interface Baseline {
  readonly exitCode: number | null;
  readonly failing: ReadonlySet<string>;
  /** Its counts and the tests it names. */
  readonly summary: TestSummary;
}

/** A finished test run as the verifier reads it. */
export type Ran = ProcessResult & { readonly command: string };

/** How many names a reason lists before "and N more". */
const NAMED_IN_REASON = 8;

export function listed(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_IN_REASON).join(', ');
  return names.length > NAMED_IN_REASON ? `${shown} and ${names.length - NAMED_IN_REASON} more` : shown;
}

/** What a run showed, for a reason: `4 passed of 4`, or `tests`. */
function describeShown(summary: TestSummary): string {
  return describeCounts(countsOf(summary)) || 'tests';
}

export function countsOf(summary: TestSummary): TestCounts {
  const { passed, failed, skipped, total } = summary;
  return { ...(passed !== undefined ? { passed } : {}), ...(failed !== undefined ? { failed } : {}), ...(skipped !== undefined ? { skipped } : {}), ...(total !== undefined ? { total } : {}) };
}

/** `removesTests` undefined: a narrowed run, not compared with the baseline. */
export function judge(run: Ran, summary: TestSummary, removesTests: readonly string[] | undefined, baseline: Baseline | undefined, timeoutMs: number): TestEvidence {
  const failing = summary.failures.map((failure) => failure.name);
  const preexisting = failing.filter((name) => baseline?.failing.has(name) === true);
  const fresh = failing.filter((name) => baseline?.failing.has(name) !== true);
  const comparison = removesTests !== undefined && baseline !== undefined && showsTests(baseline.summary) ? compareWithBaseline(baseline.summary, summary, removesTests) : undefined;
  const evidence = evidenceOf(run, summary, fresh, preexisting, baseline, comparison);
  if (run.cancelled) return { ...evidence, verdict: 'failed', reason: 'The verification was cancelled.' };
  if (run.timedOut) return { ...evidence, verdict: 'failed', reason: `The tests did not finish within ${Math.round(timeoutMs / 1000)} s and were stopped.` };
  if (run.exitCode === 0) return earned(evidence, summary, comparison, baseline, `The tests pass (exit code 0${summary.passed !== undefined ? `, ${summary.passed} passed` : ''}).`);
  if (failing.length > 0 && fresh.length === 0) return earned(evidence, summary, comparison, baseline, `Only tests that failed before the run fail: ${listed(preexisting)}.`);
  if (failing.length === 0 && baseline !== undefined && baseline.exitCode === run.exitCode && baseline.failing.size === 0 && baseline.exitCode !== 0) {
    return earned(evidence, summary, comparison, baseline, `The suite fails the same way it did before the run (exit code ${String(run.exitCode)}).`);
  }
  return { ...evidence, verdict: 'failed', reason: fresh.length > 0 ? `New failures: ${listed(fresh)}.` : `The tests failed (exit code ${String(run.exitCode)}).` };
}

/**
 * A run whose exit status would pass the step passes only if its output shows tests and every test
 * that passed in the baseline still ran (or the step declared it removes it).
 */
function earned(evidence: TestEvidence, summary: TestSummary, comparison: Comparison | undefined, baseline: Baseline | undefined, passing: string): TestEvidence {
  const before = baseline?.summary;
  const ranBefore = before !== undefined && showsTests(before) && before.total !== 0;
  const failed = (reason: string): TestEvidence => ({ ...evidence, verdict: 'failed', reason });
  if (comparison !== undefined && comparison.missing.length > 0) {
    const count = comparison.missing.length;
    return failed(
      `${count} ${count === 1 ? 'test that passed before the run no longer runs' : 'tests that passed before the run no longer run'}: ${listed(comparison.missing)}. ` +
        'Removed, skipped, or their file or the runner stopped early: that is not a pass. A step that removes or renames tests must say so in its plan (removes_tests).',
    );
  }
  if (summary.total === 0) {
    if (ranBefore) return failed('No tests ran, though the suite has tests: that is not a pass.');
    return { ...evidence, verdict: 'unverified', reason: 'The command ran no tests: the project has none to prove this step.' };
  }
  if (!showsTests(summary)) {
    if (ranBefore) return failed(`The output shows no test that ran, though it showed ${describeShown(before)} before the run: the runner may have stopped early. That is not a pass.`);
    return {
      ...evidence,
      verdict: 'unverified',
      reason: `The command ended with exit code ${String(evidence.exitCode)}, but its output shows no test that ran (a runner Plumbline cannot read, or one that ran nothing, like a make target that was up to date): nothing proves this step.`,
    };
  }
  const drop = comparison?.countDrop;
  if (drop !== undefined) {
    const now = drop.what === 'passed' ? (drop.after === 1 ? 'test passes' : 'tests pass') : drop.after === 1 ? 'test ran' : 'tests ran';
    return failed(`Only ${drop.after} ${now} where ${drop.before} ${drop.what === 'passed' ? 'passed' : 'ran'} before the run, and the output does not name the missing ones: that is not a pass.`);
  }
  const removed = comparison !== undefined && comparison.removed.length > 0 ? ` Gone as the step declares (removed or renamed): ${listed(comparison.removed)}.` : '';
  return { ...evidence, verdict: 'passed', reason: `${passing}${removed}` };
}

export function evidenceOf(run: Ran, summary: TestSummary, fresh: readonly string[], preexisting: readonly string[], baseline: Baseline | undefined, comparison?: Comparison): TestEvidence {
  return {
    verdict: 'failed',
    reason: '',
    command: run.command,
    exitCode: run.exitCode,
    ...countsOf(summary),
    durationMs: run.durationMs,
    excerpt: run.exitCode === 0 ? plainText(run.output).slice(-1500) : excerptFailure(run.output, summary),
    newFailures: [...fresh],
    preexistingFailures: [...preexisting],
    locations: summary.failures.flatMap((failure) =>
      failure.file === undefined ? [] : [{ name: failure.name, file: failure.file, ...(failure.line !== undefined ? { line: failure.line } : {}), ...(failure.message !== undefined ? { message: failure.message } : {}) }],
    ),
    ...(comparison !== undefined && baseline !== undefined ? { baseline: countsOf(baseline.summary), missingTests: comparison.missing, removedTests: comparison.removed } : {}),
  };
}


/** Test files, their fixtures and their runners' set-up, by the names the common runners use. */
const TEST_PATH = /(^|\/)(tests?|__tests__|spec|__snapshots__|__fixtures__)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py)$|(^|\/)test_[^/]*\.py$|(^|\/)conftest\.py$|(^|\/)(jest|vitest|mocha|karma|ava|playwright|cypress)\.config\.|(^|\/)\.mocharc|(^|\/)(pytest\.ini|tox\.ini|setup\.cfg|package\.json|Makefile)$/;

/**
 * A test run that rewrote test files already in the copy (not the step's own, which the harness
 * writes) could make other tests pass whatever they check: such a verdict is not earned.
 */
export function withTampering(evidence: TestEvidence, tampered: readonly string[], rewritten: readonly string[] = []): TestEvidence {
  const listed = (paths: readonly string[]): string => `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}`;
  if (rewritten.length > 0) {
    return { ...evidence, verdict: 'failed', reason: `The test run rewrote files of the change under test (${listed(rewritten)}): what it tested is not what would land, so this is not a pass.` };
  }
  if (tampered.length === 0) return evidence;
  const tests = tampered.filter((path) => TEST_PATH.test(path));
  if (tests.length > 0) {
    return { ...evidence, verdict: 'failed', reason: `The test run rewrote test files the step does not own (${listed(tests)}): a verdict that depends on that is not a pass.` };
  }
  return { ...evidence, reason: `${evidence.reason} The run changed files already in the copy (${listed(tampered)}); the next verification starts from a fresh copy.` };
}
