import * as z from 'zod';

/**
 * The plan in two shapes: what the orchestrator model submits through `submit_plan`, and the live
 * state the engine keeps, renders to `.plumbline/runs/<run-id>/plan.md` and persists. The live
 * schema exists so persisted state can be read back after a restart with the same guarantees.
 */

/** Short, typeable ids: they appear in the markdown document and in `Depends on` lines. */
export const stepIdPattern = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const stepIdRule = '1–32 lowercase letters, digits, "-" or "_", starting with a letter or digit (e.g. "s1", "rename-api")';

export const maxSteps = 50;
export const maxFilesPerStep = 50;
/**
 * Text caps of a submitted plan: the live plan is journaled and sent to every client on each
 * change, so its size is bounded where it enters (a runaway orchestrator once wrote 301 MB).
 */
export const maxInstructionsChars = 4000;
export const maxSummaryChars = 2000;

const stepIdSchema = z.string().regex(stepIdPattern, `ids are ${stepIdRule}`);
/** Titles and verify commands sit on one markdown line, so a line break would corrupt the document. */
const oneLine = (what: string) => z.string().trim().min(1, `${what} must not be empty`).regex(/^[^\r\n]*$/, `${what} must be a single line`);

export const maxRemovedTests = 100;
/** Rendered in backticks on one line of plan.md. */
const testNameSchema = z
  .string()
  .trim()
  .min(1, 'a test name in removes_tests must not be empty')
  .max(300)
  .regex(/^[^\r\n`]*$/, 'a test name in removes_tests must be a single line without backticks');

export const submittedStepSchema = z.strictObject({
  id: stepIdSchema,
  title: oneLine('title').max(200),
  instructions: z.string().trim().min(1, 'instructions must not be empty').max(maxInstructionsChars, `instructions must be at most ${maxInstructionsChars} characters: say what to change, not how`),
  /** Workspace-relative paths the step owns: only this step may write them. */
  files: z.array(z.string().min(1)).max(maxFilesPerStep),
  depends_on: z.array(stepIdSchema).default([]),
  /** A narrower test command or description for this step than the project's full suite. */
  verify: oneLine('verify').optional(),
  /**
   * Tests this step removes or renames, by name as the test output shows them (or their file): a
   * test that passed before the run and no longer runs fails verification unless it is listed here.
   */
  removes_tests: z.array(testNameSchema).max(maxRemovedTests).optional(),
});

export const submittedPlanSchema = z.strictObject({
  summary: z.string().trim().min(1, 'summary must not be empty').max(maxSummaryChars, `summary must be at most ${maxSummaryChars} characters`),
  steps: z.array(submittedStepSchema).min(1).max(maxSteps),
});

export type SubmittedStep = z.output<typeof submittedStepSchema>;
export type SubmittedPlan = z.output<typeof submittedPlanSchema>;

export const stepStatuses = ['pending', 'running', 'verifying', 'done', 'failed', 'skipped', 'cancelled'] as const;
export const planStatuses = ['draft', 'approved', 'running', 'completed', 'failed', 'cancelled'] as const;
export type StepStatus = (typeof stepStatuses)[number];
export type PlanStatus = (typeof planStatuses)[number];

/** A step that ended without succeeding: its dependents can never run. */
export const unsuccessfulStatuses: ReadonlySet<StepStatus> = new Set(['failed', 'skipped', 'cancelled']);
/** A step that will not run (again): it can no longer conflict with another over a file. */
export const finishedStatuses: ReadonlySet<StepStatus> = new Set(['done', 'failed', 'skipped', 'cancelled']);
/** A plan that has ended: its document is read-only. */
export const finishedPlanStatuses: ReadonlySet<PlanStatus> = new Set(['completed', 'failed', 'cancelled']);

// exactOptional: under exactOptionalPropertyTypes an absent field and `undefined` differ; state never holds `undefined`.
export const attemptSchema = z.strictObject({
  number: z.number().int().positive(),
  /** ISO 8601. */
  startedAt: z.string(),
  endedAt: z.string().exactOptional(),
  outcome: z.enum(['passed', 'failed', 'error']).exactOptional(),
  /** Why it failed: test output excerpt, error message. */
  detail: z.string().exactOptional(),
});
export type Attempt = z.output<typeof attemptSchema>;

export const planStepSchema = z.strictObject({
  id: stepIdSchema,
  title: z.string(),
  instructions: z.string(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()),
  verify: z.string().exactOptional(),
  /** Tests the step removes or renames: their absence after it does not fail its verification. */
  removesTests: z.array(z.string()).exactOptional(),
  status: z.enum(stepStatuses),
  attempts: z.array(attemptSchema),
  /** The worker model that ran the step. */
  model: z.string().exactOptional(),
  workerSummary: z.string().exactOptional(),
  changedFiles: z.array(z.string()),
  error: z.string().exactOptional(),
});
export type PlanStep = z.output<typeof planStepSchema>;

export const planSchema = z.strictObject({
  runId: z.string(),
  task: z.string(),
  summary: z.string(),
  status: z.enum(planStatuses),
  steps: z.array(planStepSchema),
  notes: z.array(z.string()),
  summaryOfChanges: z.string().exactOptional(),
  /** `usd` is a lower bound when `unpricedCalls` > 0; `tokens` (all calls) is what then shows the spend. */
  cost: z.strictObject({ usd: z.number().nonnegative(), unpricedCalls: z.number().int().nonnegative(), tokens: z.number().int().nonnegative().exactOptional() }),
  /** Bumped by every state change, so a reader can tell two renderings apart. */
  revision: z.number().int().nonnegative(),
});
export type Plan = z.output<typeof planSchema>;

/** The caller confines paths to the workspace: an Error's message says why a path may not be used. */
export interface ValidationContext {
  normalizePath(path: string): string | Error;
}

export type ValidationResult<T> = { readonly ok: true; readonly plan: T } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Trims the text and the end of every line and unifies line breaks. Instructions are stored this
 * way so an editor that strips trailing whitespace on save does not count as an edit.
 */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}
