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
export const maxToolsPerStep = 20;
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

/** `fast`: the worker's model; `strong`: the orchestrator's. */
export const stepRouteSchema = z.enum(['fast', 'strong']);
export type StepRoute = z.infer<typeof stepRouteSchema>;

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
  /** Which model carries the step out; absent: strong (what nobody judged easy gets the capable model). */
  model: stepRouteSchema
    .optional()
    .describe('"fast" for mechanical work a small model does reliably (renames, one-line fixes); "strong" for anything needing judgement. Absent means strong'),
  /** MCP tools (`mcp__<server>__<tool>`, VS Code's `vscode__<tool>`) the step's worker may call; a worker sees only these. */
  tools: z
    .array(z.string().min(1).max(64))
    .max(maxToolsPerStep)
    .optional()
    .describe('MCP tools (mcp__server__tool, or vscode__tool for VS Code\'s) this step\'s worker needs; it sees only these. Omit when none'),
  /** The plan's guess of the step's size, which the harness compares with the diff. */
  estimated_lines: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe('Roughly how many lines the step adds and removes; a diff far larger than this is sent back for review'),
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
  /** The model that ran this attempt (a retry may have escalated to the strong one). */
  model: z.string().exactOptional(),
  /** What the attempt's worker calls used: tokens always, dollars when the model has a price. */
  usage: z.strictObject({ tokens: z.number().int().nonnegative(), usd: z.number().nonnegative(), unpricedCalls: z.number().int().nonnegative() }).exactOptional(),
});
export type Attempt = z.output<typeof attemptSchema>;

export const maxFindings = 30;
/** A reviewer's finding: model output, shown as text everywhere (escaped, never as links or markup). */
export const reviewFindingSchema = z.strictObject({
  path: z.string().trim().min(1).max(500).describe('Workspace-relative path of the file the finding is about'),
  line: z.number().int().positive().optional().describe('Line in the file as the step left it, when the finding is about one place'),
  problem: z.string().trim().min(1).max(1000).describe('What is wrong'),
  suggestion: z.string().trim().min(1).max(1000).describe('What the worker should do about it'),
});
export type ReviewFinding = z.output<typeof reviewFindingSchema>;

/** A check the harness computes on a step's change (never a model's opinion); a failing one means revise. */
export const objectiveCheckSchema = z.strictObject({
  id: z.enum(['outside-files', 'tests-removed', 'steers-tests', 'new-diagnostics', 'new-todo', 'diff-size']),
  ok: z.boolean(),
  detail: z.string(),
});
export type ObjectiveCheck = z.output<typeof objectiveCheckSchema>;

/** One review of a step's attempt (or, with no `attempt`, of the whole run's change). */
export const reviewRecordSchema = z.strictObject({
  attempt: z.number().int().positive().exactOptional(),
  /** `none`: the reviewer ended without a valid submit_review (its verdict is never guessed from its words). */
  verdict: z.enum(['approve', 'revise', 'none']),
  /** The verdict the run acted on: `revise` when an objective check failed, whatever the reviewer said. */
  outcome: z.enum(['approved', 'revise', 'failed']),
  summary: z.string(),
  findings: z.array(reviewFindingSchema),
  checks: z.array(objectiveCheckSchema),
  model: z.string(),
  tokens: z.number().int().nonnegative(),
  usd: z.number().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type ReviewRecord = z.output<typeof reviewRecordSchema>;

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
  /** The orchestrator's routing: `fast` runs on the worker's model; absent or `strong`, on the orchestrator's. */
  route: stepRouteSchema.exactOptional(),
  /** The plan's estimate of lines added and removed. */
  estimatedLines: z.number().int().positive().exactOptional(),
  /** The MCP tools the plan gave the step's worker (`mcp__<server>__<tool>`); absent: none. */
  tools: z.array(z.string()).exactOptional(),
  /** The reviewer's verdicts on this step's attempts, in order. */
  reviews: z.array(reviewRecordSchema).exactOptional(),
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
  /** `plumbline.review.mode` `end`: the reviewer's verdict on the whole run's change. */
  review: reviewRecordSchema.exactOptional(),
  /** `usd` is a lower bound when `unpricedCalls` > 0; `tokens` (all calls) is what then shows the spend. */
  cost: z.strictObject({ usd: z.number().nonnegative(), unpricedCalls: z.number().int().nonnegative(), tokens: z.number().int().nonnegative().exactOptional() }),
  /** Bumped by every state change, so a reader can tell two renderings apart. */
  revision: z.number().int().nonnegative(),
});
export type Plan = z.output<typeof planSchema>;

/** The caller confines paths to the workspace: an Error's message says why a path may not be used. */
export interface ValidationContext {
  normalizePath(path: string): string | Error;
  /** The run's MCP tools a step may name in `tools`; absent: none (any name is a plan error). */
  readonly mcpTools?: readonly string[];
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
