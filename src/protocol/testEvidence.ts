import * as z from 'zod';

const countsSchema = z.object({
  passed: z.number().int().optional(),
  failed: z.number().int().optional(),
  skipped: z.number().int().optional(),
  total: z.number().int().optional(),
});
export type TestCounts = z.infer<typeof countsSchema>;

/**
 * One test run behind a verdict: a run of the step's related tests (fast, can only fail a step) or
 * of the full suite on the staged work plus the changes of the steps named (a wave's run, or a run
 * of one step alone to find which step of a failed wave broke it). Only a full run that passed can
 * verify a step.
 */
export const testRunSchema = z.object({
  kind: z.enum(['related', 'full']),
  /** The steps whose changes the run held (besides the staged work of finished steps). */
  steps: z.array(z.string()),
  command: z.string(),
  verdict: z.enum(['passed', 'failed', 'unverified']),
  /** When it started (ISO time) and how long it took. */
  startedAt: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** How the related tests were chosen (related runs). */
  how: z.string().optional(),
});
export type TestRun = z.infer<typeof testRunSchema>;

/**
 * What a verification proved, decided by the harness from exit codes (never by a model). It goes
 * into the plan (per attempt), to the reviewer beside the diff, and back to the worker on failure.
 */
export const testEvidenceSchema = z.object({
  /**
   * `passed`: the project's tests pass (pre-existing failures aside) and every test that passed before
   * the run still runs; `unverified`: nothing could be run, or the output showed no test that ran.
   */
  verdict: z.enum(['passed', 'failed', 'unverified']),
  reason: z.string(),
  command: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  passed: z.number().int().optional(),
  failed: z.number().int().optional(),
  skipped: z.number().int().optional(),
  total: z.number().int().optional(),
  durationMs: z.number().nonnegative(),
  /** The part of the output that matters, trimmed. */
  excerpt: z.string(),
  /** Failing tests that passed before the run: what this increment broke. */
  newFailures: z.array(z.string()),
  /** Failing tests that already failed before the run: reported, not blocking. */
  preexistingFailures: z.array(z.string()),
  /** Where the runner located failures, for the Problems panel. */
  locations: z.array(z.object({ name: z.string(), file: z.string(), line: z.number().int().optional(), message: z.string().optional() })),
  /** The counts of the baseline (the suite before the run), when this run was compared with it: the "before" of "before → after". */
  baseline: countsSchema.optional(),
  /** Tests that passed before the run and did not run this time (removed, skipped, their file or the runner stopped early). */
  missingTests: z.array(z.string()).optional(),
  /** Tests the plan step declared it removes or renames, which are gone as declared. */
  removedTests: z.array(z.string()).optional(),
  /** The runs this verdict rests on, in order: the step's related run, then the full run(s) that counted. */
  runs: z.array(testRunSchema).optional(),
  /** A baseline reused from an earlier run on the same tree, command and lock files: when it was taken (ISO). */
  cachedFrom: z.string().optional(),
});
export type TestEvidence = z.infer<typeof testEvidenceSchema>;

/** `3 passed, 1 failed of 4`; `4 tests` when only the total is known; '' when nothing is. */
export function describeCounts(counts: TestCounts): string {
  const parts = [counts.passed !== undefined ? `${counts.passed} passed` : undefined, counts.failed !== undefined && counts.failed > 0 ? `${counts.failed} failed` : undefined].filter(
    (part) => part !== undefined,
  );
  if (parts.length === 0) return counts.total !== undefined ? `${counts.total} ${counts.total === 1 ? 'test' : 'tests'}` : '';
  return `${parts.join(', ')}${counts.total !== undefined ? ` of ${counts.total}` : ''}`;
}

/** A run compared with the baseline as `before 4 passed of 4 → now 1 passed of 1`; otherwise its own counts alone. */
export function describeBeforeAfter(evidence: TestCounts & { readonly baseline?: TestCounts | undefined }): string {
  const after = describeCounts(evidence);
  if (evidence.baseline === undefined) return after;
  return `before ${describeCounts(evidence.baseline) || 'no tests shown'} → now ${after || 'no tests shown'}`;
}

/** The runs behind a verdict in a few words: `related tests passed in 0.8 s; full suite with s1, s2 passed in 12.0 s`. */
export function describeRuns(runs: readonly TestRun[]): string {
  return runs
    .map((run) => {
      const what = run.kind === 'related' ? 'related tests' : run.steps.length > 0 ? `full suite with ${run.steps.join(', ')}` : 'full suite';
      return `${what} ${run.verdict} in ${(run.durationMs / 1000).toFixed(1)} s`;
    })
    .join('; ');
}

/** What a verdict rests on, for the plan and the CLI after its reason: ` (runs: …)`, ` (reused from …)`, or ''. */
export function describeGrounds(evidence: Pick<TestEvidence, 'runs' | 'cachedFrom'>): string {
  if (evidence.cachedFrom !== undefined) return ` (reused from the run at ${evidence.cachedFrom}: same tree, command and lock files)`;
  const runs = evidence.runs ?? [];
  return runs.length === 0 ? '' : ` (runs: ${describeRuns(runs)})`;
}
