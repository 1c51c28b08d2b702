import * as z from 'zod';

/**
 * What a verification proved, decided by the harness from exit codes (never by a model). It goes
 * into the plan (per attempt), to the reviewer beside the diff, and back to the worker on failure.
 */
export const testEvidenceSchema = z.object({
  /** `passed`: the project's tests pass (pre-existing failures aside); `unverified`: nothing could be run. */
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
});
export type TestEvidence = z.infer<typeof testEvidenceSchema>;
