import { unsandboxedChoiceSchema } from './sandbox';
import * as z from 'zod';
import { planSchema, reviewRecordSchema } from './plan';
import { modelRoleSchema } from './modelRoles';
import { testEvidenceSchema } from './testEvidence';
import { providerIdSchema } from './provider';
import { branchCommittedSchema, commitToBranchSchema } from './branchCommit';

/**
 * A run as it crosses the process boundary: the options a client starts it with, the events the
 * server streams back (`plumbline/run/event`), and the questions the server asks the client
 * (approve the plan, review changes). `plumbline run --json` prints the same events, one per line.
 */

export const approveModeSchema = z.enum(['step', 'end', 'auto', 'never']);
export type ApproveMode = z.infer<typeof approveModeSchema>;

/**
 * The part of one file a task is about (Refactor Selection): a workspace-relative path and 1-based,
 * inclusive lines. The orchestrator is told to keep to it unless the task needs more.
 */
export const taskScopeSchema = z
  .strictObject({
    path: z.string().trim().min(1).max(1000),
    startLine: z.number().int().min(1),
    endLine: z.number().int().min(1),
  })
  .refine((scope) => scope.startLine <= scope.endLine, { message: 'startLine must not be after endLine', path: ['endLine'] });
export type TaskScope = z.infer<typeof taskScopeSchema>;

export const runStartParamsSchema = z.strictObject({
  task: z.string().trim().min(1, 'the task is empty'),
  approve: approveModeSchema.default('step'),
  maxParallel: z.number().int().min(1).max(16).default(4),
  maxCostUsd: z.number().positive().optional(),
  maxCalls: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  maxMinutes: z.number().positive().optional(),
  /** Ask the client to approve the plan before it runs (`false`: run it as submitted). */
  reviewPlan: z.boolean().default(true),
  /** Overrides the plumbline.testCommand setting for this run (the CLI's --test-cmd). */
  testCommand: z.string().trim().min(1).max(1000).optional(),
  /** Overrides plumbline.verification.parallel for this run (the CLI's --verify-parallel): test runs at once. */
  verifyParallel: z.number().int().min(1).max(64).optional(),
  /** The file and lines the task is about, when it was started on a selection. */
  scope: taskScopeSchema.optional(),
  /** Where there is no sandbox: the answer given up front (CLI `--unsandboxed`); absent: the client is asked. */
  unsandboxed: unsandboxedChoiceSchema.optional(),
  /**
   * Commit each verified step to a new branch instead of landing anything in the working tree
   * (`plumbline run --ci`; use with approve `never`). The server settles the name and base.
   */
  commitToBranch: commitToBranchSchema.optional(),
});
export type RunStartParams = z.input<typeof runStartParamsSchema>;

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});

const usageTotalsSchema = z.object({ calls: z.number(), usage: usageSchema, costUsd: z.number(), unpricedCalls: z.number() });

/** One line of a hunk, as structure: never diff text that a client has to parse back. */
export const diffLineSchema = z.object({
  kind: z.enum(['context', 'add', 'remove']),
  /** The line without its terminator. */
  text: z.string(),
  /** Its own terminator; '' for a last line without one ("\\ No newline at end of file"). */
  eol: z.enum(['', '\n', '\r\n', '\r']),
});
export type DiffLine = z.infer<typeof diffLineSchema>;

/**
 * One hunk of a change set, computed once by the engine (one decode of each side, one diff) and
 * used as is by the review, every client and landing. Numbered as in unified diff: 1-based starts;
 * a side without lines starts at the line before the hunk (0 at the top of the file).
 */
export const hunkSchema = z.object({
  /**
   * What a review decision names: the file's path, the hunk's place and a hash of its lines
   * (`src/a.ts#12,3+12,4~1f2e3d4c`). Unique in its change set, the same whenever the same change is
   * shown again, and never the name of a different change.
   */
  id: z.string().min(1),
  oldStart: z.number().int().nonnegative(),
  oldLines: z.number().int().nonnegative(),
  newStart: z.number().int().nonnegative(),
  newLines: z.number().int().nonnegative(),
  lines: z.array(diffLineSchema),
});
export type Hunk = z.infer<typeof hunkSchema>;

/** What the review and the client get for a file: the change set's entry, texts included. */
export const fileChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(['create', 'modify', 'delete']),
  /**
   * In file order. Empty when the file is reviewed as a whole (binary content, or a change that no
   * line shows, such as a new byte order mark): decide it with `all`.
   */
  hunks: z.array(hunkSchema),
  /** The file's text before and after the change, for side-by-side and inline review; null when absent or not text. */
  beforeText: z.string().nullable(),
  afterText: z.string().nullable(),
  stepIds: z.array(z.string()),
  /**
   * Set when the file makes an editor, a tool or CI run code (or holds Plumbline's settings): why.
   * Such a change never lands without the user's explicit approval, even in `auto` mode.
   */
  protectedReason: z.string().optional(),
});
export type FileChange = z.infer<typeof fileChangeSchema>;

/**
 * The same entry without the full texts, for the `changes` event: the same hunks with the same ids,
 * while the texts cross the wire once, in the review request that needs them.
 */
export const changedFileSchema = fileChangeSchema.omit({ beforeText: true, afterText: true });
export type ChangedFile = z.infer<typeof changedFileSchema>;

const role = modelRoleSchema;
export const commandOutcomeSchema = z.enum(['allowed', 'approved', 'denied', 'refused']);
export type CommandOutcome = z.infer<typeof commandOutcomeSchema>;
const base = { runId: z.string() };

/** A model call that failed for good: which provider, why, and the URL and setting that decide it. */
export const modelProblemSchema = z.object({
  provider: providerIdSchema,
  kind: z.string(),
  url: z.string().nullable(),
  setting: z.string().nullable(),
  /** The run had no plan yet: nothing was changed, so there is nothing to undo or resume. */
  beforePlan: z.boolean(),
});
export type ModelProblem = z.infer<typeof modelProblemSchema>;
const stepRef = { stepId: z.string().optional() };

export const runEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run/started'), ...base, task: z.string(), planPath: z.string() }),
  z.object({ type: z.literal('run/phase'), ...base, phase: z.enum(['exploring', 'awaiting_approval', 'executing', 'reviewing', 'finished']) }),
  z.object({ type: z.literal('plan/updated'), ...base, plan: planSchema, markdown: z.string() }),
  z.object({ type: z.literal('plan/edited'), ...base, changes: z.array(z.string()), errors: z.array(z.string()) }),
  z.object({ type: z.literal('model/text'), ...base, role, ...stepRef, delta: z.string() }),
  /** A tool call's result; `path`: the workspace-relative file it named (the model's words, unchecked), for clients that follow along. */
  z.object({
    type: z.literal('tool/result'),
    ...base,
    role,
    ...stepRef,
    tool: z.string(),
    ok: z.boolean(),
    detail: z.string(),
    path: z.string().max(1000).optional(),
    /** The call's arguments as JSON (capped), for the tools whose calls the user must be able to see: MCP tools. */
    input: z.string().optional(),
  }),
  z.object({ type: z.literal('model/retry'), ...base, role, ...stepRef, attempt: z.number(), delayMs: z.number(), reason: z.string() }),
  z.object({ type: z.literal('step/started'), ...base, stepId: z.string(), model: z.string() }),
  z.object({
    type: z.literal('step/finished'),
    ...base,
    stepId: z.string(),
    status: z.enum(['done', 'failed', 'cancelled']),
    summary: z.string().optional(),
    error: z.string().optional(),
    changedFiles: z.array(z.string()),
  }),
  z.object({ type: z.literal('usage'), ...base, role, model: z.string(), costUsd: z.number().nullable(), run: usageTotalsSchema }),
  z.object({ type: z.literal('changes'), ...base, files: z.array(changedFileSchema) }),
  /** A verification's result: the baseline (no stepId) or a step's attempt. */
  z.object({ type: z.literal('verification'), ...base, stepId: z.string().optional(), attempt: z.number().int().optional(), evidence: testEvidenceSchema }),
  /** The reviewer's verdict on a step's attempt (with `stepId`) or on the whole run's change. */
  z.object({ type: z.literal('review'), ...base, stepId: z.string().optional(), attempt: z.number().int().optional(), review: reviewRecordSchema }),
  /** A command a worker asked to run (run_command): what the policy and the user decided, and how it ended. */
  z.object({
    type: z.literal('command/finished'),
    ...base,
    stepId: z.string(),
    command: z.string(),
    /** allowed: by the policy; approved/denied: by the user; refused: by the policy (deny list, untrusted, unreadable). */
    decision: commandOutcomeSchema,
    reasons: z.array(z.string()),
    exitCode: z.number().int().nullable(),
    timedOut: z.boolean(),
    durationMs: z.number().nonnegative(),
  }),
  z.object({
    type: z.literal('review/decided'),
    ...base,
    /** Paths written, with how many of their hunks were accepted. */
    applied: z.array(z.object({ path: z.string(), hunks: z.number().int(), of: z.number().int() })),
    rejected: z.array(z.string()),
    /** Files the user changed meanwhile in a way the accepted hunks no longer fit: left as the user has them. */
    conflicts: z.array(z.object({ path: z.string(), reason: z.string() })),
    /** What a decision named that the review did not offer (hunk ids, or paths): ignored. */
    ignored: z.array(z.string()).optional(),
  }),
  /** A question put to the user (ask_user, or before a step fails for good); `question/closed` follows. */
  z.object({ type: z.literal('question/asked'), ...base, ...stepRef, questionId: z.string(), kind: z.enum(['question', 'lastAttempt']), question: z.string(), choices: z.array(z.string()) }),
  /** How a question ended: the user's answer, or why there was none (the model then decides and says what it assumed). */
  z.object({
    type: z.literal('question/closed'),
    ...base,
    ...stepRef,
    questionId: z.string(),
    answer: z.string().optional(),
    unanswered: z.enum(['no-client', 'timeout', 'cancelled']).optional(),
  }),
  /** A conversation grew past its share of the model's context window and was compacted before the next request. */
  z.object({
    type: z.literal('model/compacted'),
    ...base,
    role,
    ...stepRef,
    model: z.string(),
    contextWindow: z.number().int().positive(),
    /** Estimated input tokens of the next request before and after compaction. */
    beforeTokens: z.number().int().nonnegative(),
    afterTokens: z.number().int().nonnegative(),
    /** Tool results replaced by the harness's summaries. */
    summarized: z.number().int().nonnegative(),
  }),
  /** A run that commits to a branch: what it committed, once, at its end (before `run/finished`). */
  z.object({ type: z.literal('branch/committed'), ...base, ...branchCommittedSchema.shape }),
  z.object({
    type: z.literal('run/finished'),
    ...base,
    status: z.enum(['completed', 'failed', 'cancelled']),
    reason: z.string().optional(),
    summary: z.string(),
    applied: z.array(z.string()),
    costUsd: z.number(),
    /** The run stopped on a model error: what clients need to offer Retry and Configure Models. */
    modelError: modelProblemSchema.optional(),
  }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
export type RunStatus = Extract<RunEvent, { type: 'run/finished' }>['status'];
export type RunPhase = Extract<RunEvent, { type: 'run/phase' }>['phase'];

/**
 * A command the policy will not run without a person's yes: shown in full with the policy's reasons.
 * It would run in an isolated copy of the workspace (`cwd`), whose file changes are discarded.
 */
export const commandApprovalParamsSchema = z.object({
  runId: z.string(),
  stepId: z.string(),
  command: z.string(),
  /** What the model said the command is for (its words: data, not instructions). */
  purpose: z.string(),
  /** Where it would run, for people. */
  cwd: z.string(),
  reasons: z.array(z.string()),
  /** It may do what discarding the copy cannot undo (delete outside the workspace, push, publish…). */
  destructive: z.boolean(),
  /**
   * Set when this is a call to an MCP tool that is not read-only rather than a command: clients
   * word it as a tool call. `arguments` is the model's JSON: data, shown as text.
   */
  tool: z
    .object({ name: z.string().max(64), server: z.string().max(200), tool: z.string().max(200), arguments: z.string().max(20_000) })
    .optional(),
});
export type CommandApprovalParams = z.infer<typeof commandApprovalParamsSchema>;
export const commandApprovalResultSchema = z.object({ decision: z.enum(['run', 'deny']) });

export const planApprovalParamsSchema = z.object({ runId: z.string(), plan: planSchema, markdown: z.string(), planPath: z.string() });
export const planApprovalResultSchema = z.object({ decision: z.enum(['approve', 'cancel']) });

export const reviewParamsSchema = z.object({ runId: z.string(), files: z.array(fileChangeSchema) });
/**
 * Per file, the accepted hunks by id (`all` for the whole file); a file not listed is rejected. An
 * id (or a path) the review did not offer is ignored, and named in `review/decided`'s `ignored`.
 */
export const reviewResultSchema = z.object({
  decisions: z.array(z.object({ path: z.string(), hunks: z.union([z.literal('all'), z.array(z.string().min(1))]) })),
});
export type ReviewDecisions = z.infer<typeof reviewResultSchema>;

export const runMetaSchema = z.object({
  runId: z.string(),
  task: z.string(),
  status: z.enum(['planning', 'awaiting_approval', 'running', 'completed', 'failed', 'cancelled']),
  createdAt: z.string(),
  updatedAt: z.string(),
  costUsd: z.number().nonnegative(),
  /** Calls without a price (their dollars are unknown) and every call's tokens: what is shown then. */
  unpricedCalls: z.number().int().nonnegative().optional(),
  tokens: z.number().int().nonnegative().optional(),
  stepsDone: z.number().int().nonnegative(),
  stepsTotal: z.number().int().nonnegative(),
  summary: z.string().optional(),
  error: z.string().optional(),
  /** Files the run wrote into the workspace. Absent in records written before it was kept. */
  applied: z.array(z.string()).optional(),
  /** Files the run's finished steps changed, applied or not. */
  changed: z.array(z.string()).optional(),
  /** Verified changes nobody reviewed (the run was cancelled before its review): resume offers them. */
  unreviewed: z.array(z.string()).optional(),
  /** A cancelled run that `resume` continues: it has unreviewed work, or steps that had started and not finished. */
  resumable: z.boolean().optional(),
  /** Set by undo: when, which files it restored, and which it kept because they were edited since. */
  undone: z.object({ at: z.string(), restored: z.array(z.string()), kept: z.array(z.string()) }).optional(),
  /** Not stored: added when runs are listed, the files undo would restore now (none: nothing to undo). */
  restorable: z.array(z.string()).optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;
