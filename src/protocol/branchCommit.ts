import * as z from 'zod';

/**
 * A run that commits its verified steps to a branch instead of landing them in the working tree
 * (`plumbline run --ci`): the branch's name as a client may give it, what the run settled on, and
 * the outcome the engine reports at its end (`branch/committed`). The commit messages' trailers are
 * named here too: `plumbline review-branch` and "Plumbline: Review Branch…" read them back.
 */

/**
 * A branch name Plumbline will create. Stricter than `git check-ref-format --branch` on purpose: it
 * reaches git's command line, a workflow's outputs and a pull request, so only plain characters,
 * never a leading `-` (an option), `.` or `/`, no `..` (a range), no empty or hidden component, no
 * `.lock` ending. The server checks it with git as well before it creates anything.
 */
export const branchNameSchema = z
  .string()
  .min(1, 'the branch name is empty')
  .max(200, 'the branch name is longer than 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'a branch name is letters, digits, ".", "_", "-" and "/", starting with a letter or digit')
  .refine((name) => !name.includes('..') && !name.includes('//') && !name.includes('/.'), 'a branch name may not contain "..", "//" or a component starting with "."')
  .refine((name) => !name.endsWith('/') && !name.endsWith('.') && !/\.lock(\/|$)/.test(name), 'a branch name may not end with "/", "." or ".lock"')
  .refine((name) => name !== 'HEAD', 'HEAD is not a branch name');

/** A full commit id (SHA-1 or SHA-256 repositories). */
export const commitIdSchema = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a commit id is 40 (or 64) lowercase hex digits');

/**
 * What a run is started with to commit to a branch: the name (absent: `plumbline/<run-id>`) and the
 * commit it branches from. A client gives neither base nor, usually, name: the server settles both
 * (HEAD, when the run starts) and journals them, so a resumed run commits onto the same base.
 */
export const commitToBranchSchema = z.strictObject({
  branch: branchNameSchema.optional(),
  base: commitIdSchema.optional(),
});

/**
 * How a run that commits to a branch ended: `verified`, every step verified and committed; `partial`,
 * some; `failed`, none; `empty`, the task needed no change.
 */
export const ciVerdictSchema = z.enum(['verified', 'partial', 'failed', 'empty']);
export type CiVerdict = z.infer<typeof ciVerdictSchema>;

/** The counts and command a step's commit records (`Plumbline-Tests`), from the verification that passed it. */
export const commitEvidenceSchema = z.object({
  passed: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative().optional(),
  /** The baseline's counts: the "before" of before → after. */
  before: z.object({ passed: z.number().int().nonnegative().optional(), failed: z.number().int().nonnegative().optional() }).optional(),
  command: z.string(),
  durationMs: z.number().nonnegative(),
  reason: z.string(),
});
export type CommitEvidence = z.infer<typeof commitEvidenceSchema>;

export const stepCommitSchema = z.object({
  stepId: z.string(),
  title: z.string(),
  commit: commitIdSchema,
  files: z.array(z.string()),
  evidence: commitEvidenceSchema,
  /** Files of the step that run code, left out of the commit (verification ran with their earlier version). */
  leftOut: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type StepCommit = z.infer<typeof stepCommitSchema>;

/** `branch/committed`: what the run put on its branch, sent once at its end, before `run/finished`. */
export const branchCommittedSchema = z.object({
  branch: branchNameSchema,
  base: commitIdSchema,
  /** Absent when nothing was committed (the branch was not created). */
  head: commitIdSchema.optional(),
  verdict: ciVerdictSchema,
  commits: z.array(stepCommitSchema),
  /** Steps that are not on the branch, and why (failed, not verified, skipped). */
  notCommitted: z.array(z.object({ stepId: z.string(), title: z.string(), reason: z.string() })),
  /** Set when writing the branch itself failed. */
  error: z.string().optional(),
});
export type BranchCommitted = z.infer<typeof branchCommittedSchema>;

/** The trailers of a step's commit, in the order they are written. */
export const commitTrailers = {
  run: 'Plumbline-Run',
  step: 'Plumbline-Step',
  verdict: 'Plumbline-Verdict',
  tests: 'Plumbline-Tests',
} as const;
