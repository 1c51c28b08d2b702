import * as z from 'zod';
import { planSchema } from './plan';
import { approveModeSchema, runMetaSchema } from './run';
import { mcpStatusSchema } from './mcp';
import { sandboxStatusSchema } from './sandbox';
import { maxAnswerChars, userQuestionParamsSchema } from './userQuestion';

/**
 * The sidebar webview's message protocol. The webview says `ready`; the host answers with a full
 * `snapshot` and then sends updates. Webview requests carry an id and get exactly one `response`.
 * Both directions are validated with zod on arrival: a webview is untrusted content.
 */

export const serverPhaseSchema = z.enum(['starting', 'ready', 'restarting', 'stopped', 'failed']);
export type ServerPhase = z.infer<typeof serverPhaseSchema>;

/** The agent server as the user should see it. */
export const serverViewSchema = z.object({
  phase: serverPhaseSchema,
  version: z.string().nullable(),
  /** Why the server is in this phase, for `restarting`, `stopped` and `failed`. */
  message: z.string().nullable(),
  /** Crashes in the current window; the client gives up after `maxRestarts`. */
  crashes: z.number().int().nonnegative(),
  maxRestarts: z.number().int().positive(),
});
export type ServerView = z.infer<typeof serverViewSchema>;

/** A run id as the server makes them; also what a request may name. */
export const runIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'a run id');

const countsViewSchema = z.object({ passed: z.number().int().nullable(), failed: z.number().int().nullable(), total: z.number().int().nullable() });

/** A verification compared with the baseline: its "before", and the tests that are gone. */
const comparedSchema = {
  /** The baseline's counts (the suite before the run), when this run was compared with it. */
  before: countsViewSchema.nullable().optional(),
  /** Tests that passed before the run and did not run this time. */
  missing: z.array(z.string()).optional(),
  /** Tests the step declared it removes or renames, gone as declared. */
  removed: z.array(z.string()).optional(),
};

/** What one verification proved, by step and attempt: the counts the plan shows beside an attempt. */
export const stepEvidenceSchema = z.object({
  stepId: z.string().nullable(),
  attempt: z.number().int().nullable(),
  verdict: z.enum(['passed', 'failed', 'unverified']),
  reason: z.string(),
  passed: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  total: z.number().int().nullable(),
  ...comparedSchema,
});
export type StepEvidence = z.infer<typeof stepEvidenceSchema>;

/** The run in progress (or the last one), as the sidebar renders it. */
export const runViewSchema = z.object({
  runId: z.string(),
  task: z.string(),
  phase: z.string(),
  hasPlanDocument: z.boolean(),
  plan: planSchema.nullable(),
  costUsd: z.number(),
  /** Every call's tokens and the calls without a price: the sidebar shows tokens when the dollars leave calls out. */
  tokens: z.number().int().nonnegative().optional(),
  unpricedCalls: z.number().int().nonnegative().optional(),
  /** The server is waiting for the user to approve the plan: the sidebar shows Run Plan / Edit Plan / Cancel. */
  awaitingApproval: z.boolean(),
  finished: z
    .object({ status: z.enum(['completed', 'failed', 'cancelled']), reason: z.string().nullable(), summary: z.string(), applied: z.array(z.string()) })
    .nullable(),
  evidence: z.array(stepEvidenceSchema),
});
export type RunViewModel = z.infer<typeof runViewSchema>;

const itemBase = { id: z.number().int().nonnegative() };
const stepRef = { stepId: z.string().nullable() };

/** One entry of the run's transcript. Items are append-only; `text` items grow by deltas. */
export const transcriptItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('task'), ...itemBase, text: z.string() }),
  /** The orchestrator's streamed words: markdown, rendered sanitized. */
  z.object({ kind: z.literal('text'), ...itemBase, text: z.string() }),
  z.object({ kind: z.literal('plan'), ...itemBase, summary: z.string(), steps: z.number().int().nonnegative() }),
  z.object({
    kind: z.literal('step'),
    ...itemBase,
    stepId: z.string(),
    title: z.string(),
    status: z.enum(['started', 'done', 'failed', 'cancelled']),
    detail: z.string().nullable(),
    changedFiles: z.array(z.string()),
  }),
  z.object({ kind: z.literal('tool'), ...itemBase, ...stepRef, tool: z.string(), ok: z.boolean(), detail: z.string() }),
  z.object({
    kind: z.literal('verification'),
    ...itemBase,
    ...stepRef,
    attempt: z.number().int().nullable(),
    verdict: z.enum(['passed', 'failed', 'unverified']),
    reason: z.string(),
    command: z.string().nullable(),
    passed: z.number().int().nullable(),
    failed: z.number().int().nullable(),
    total: z.number().int().nullable(),
    ...comparedSchema,
  }),
  z.object({
    kind: z.literal('review'),
    ...itemBase,
    applied: z.array(z.object({ path: z.string(), hunks: z.number().int(), of: z.number().int() })),
    rejected: z.array(z.string()),
    conflicts: z.array(z.object({ path: z.string(), reason: z.string() })),
  }),
  z.object({ kind: z.literal('notice'), ...itemBase, level: z.enum(['info', 'warning', 'error']), text: z.string() }),
  z.object({
    kind: z.literal('finished'),
    ...itemBase,
    status: z.enum(['completed', 'failed', 'cancelled']),
    summary: z.string(),
    reason: z.string().nullable(),
    applied: z.array(z.string()),
    costUsd: z.number(),
    /** The run's spend with its tokens, so an unpriced model shows tokens rather than $0. */
    cost: z.object({ usd: z.number(), unpricedCalls: z.number().int().nonnegative(), tokens: z.number().nonnegative().optional() }).optional(),
  }),
]);
export type TranscriptItem = z.infer<typeof transcriptItemSchema>;

export const transcriptSchema = z.object({
  runId: z.string().nullable(),
  items: z.array(transcriptItemSchema),
  /** Items the host no longer keeps (the transcript is bounded). */
  dropped: z.number().int().nonnegative(),
});
export type Transcript = z.infer<typeof transcriptSchema>;

/**
 * Whether a run could reach a model: `needed` shows Configure Models in place of the task box,
 * with the reason; `checking` until the server has answered.
 */
export const modelSetupViewSchema = z.object({
  state: z.enum(['checking', 'ready', 'needed']),
  problem: z.string().nullable(),
  /** Each role's model as resolved (model id, and the server's host when it is not the provider's own); null unless ready. */
  models: z.record(z.string(), z.string()).nullable(),
});
export type ModelSetupView = z.infer<typeof modelSetupViewSchema>;

export const sidebarSettingsSchema = z.object({
  approvalMode: approveModeSchema,
  /** Where the approval-mode dropdown writes: the workspace's settings when a folder is open, else the user's. */
  approvalModeTarget: z.enum(['workspace', 'user']),
  setup: modelSetupViewSchema,
  /** VS Code's workspace trust: in Restricted Mode the sidebar says why it starts nothing and offers to trust. */
  trusted: z.boolean(),
  /** Each role's model as the settings name it: the model id, else the provider (`auto`: chosen from the keys present). */
  models: z.object({ orchestrator: z.string(), worker: z.string() }),
});
export type SidebarSettings = z.infer<typeof sidebarSettingsSchema>;

/** A question the run waits on (ask_user, or more attempts for a failing step), as the sidebar shows it. */
export const questionViewSchema = userQuestionParamsSchema;
export type QuestionView = z.infer<typeof questionViewSchema>;

export const sidebarStateSchema = z.object({
  server: serverViewSchema,
  run: runViewSchema.nullable(),
  transcript: transcriptSchema,
  history: z.array(runMetaSchema),
  settings: sidebarSettingsSchema,
  /** What confines tests and commands, as the ready server reports it; null while unknown. */
  sandbox: sandboxStatusSchema.nullable(),
  /** The questions open now, oldest first; several steps may wait at once. */
  questions: z.array(questionViewSchema).optional(),
  /** The workspace's MCP servers (asked without starting any); null while unknown. Names, descriptions and details are the servers' words: text only. */
  mcp: mcpStatusSchema.nullable().optional(),
});
export type SidebarState = z.infer<typeof sidebarStateSchema>;

/** A task as the sidebar may send it; the host checks it again before starting anything. */
export const taskTextSchema = z.string().trim().min(1, 'the task is empty').max(20000, 'the task is too long');

const request = { type: z.literal('request'), id: z.number().int().nonnegative() };

/** Requests the webview may make; each maps to an existing, working command or setting. */
export const webviewRequestSchema = z.discriminatedUnion('method', [
  z.strictObject({ ...request, method: z.literal('server/restart') }),
  z.strictObject({ ...request, method: z.literal('log/show') }),
  z.strictObject({ ...request, method: z.literal('task/start'), task: taskTextSchema }),
  z.strictObject({ ...request, method: z.literal('run/cancel') }),
  z.strictObject({ ...request, method: z.literal('plan/open') }),
  z.strictObject({ ...request, method: z.literal('plan/answer'), runId: runIdSchema, decision: z.enum(['approve', 'cancel']) }),
  z.strictObject({ ...request, method: z.literal('run/resume'), runId: runIdSchema }),
  z.strictObject({ ...request, method: z.literal('run/undo'), runId: runIdSchema }),
  /** Opens a past run's plan and transcript (Open Past Run…). */
  z.strictObject({ ...request, method: z.literal('run/open'), runId: runIdSchema }),
  z.strictObject({ ...request, method: z.literal('history/refresh') }),
  z.strictObject({ ...request, method: z.literal('settings/approvalMode'), mode: approveModeSchema }),
  /** Runs "Plumbline: Select Models…". */
  z.strictObject({ ...request, method: z.literal('models/select') }),
  /** Runs "Plumbline: Configure Models…". */
  z.strictObject({ ...request, method: z.literal('models/configure') }),
  z.strictObject({ ...request, method: z.literal('clipboard/write'), text: z.string().max(1_000_000) }),
  /** Answers an open question (a choice's text or the user's words); null: no answer (the model decides and says what it assumed). */
  z.strictObject({ ...request, method: z.literal('question/answer'), runId: runIdSchema, questionId: z.string().min(1).max(64), answer: z.string().trim().min(1).max(maxAnswerChars).nullable() }),
  /** Opens VS Code's workspace trust editor (Restricted Mode's way out). */
  z.strictObject({ ...request, method: z.literal('workspace/trust') }),
  /** Starts a configured MCP server; one the workspace defines asks for approval first. */
  z.strictObject({ ...request, method: z.literal('mcp/start'), name: z.string().min(1).max(64) }),
  /** Opens where that MCP server is defined (its file, or the setting). */
  z.strictObject({ ...request, method: z.literal('mcp/open'), name: z.string().min(1).max(64) }),
]);
export type WebviewRequest = z.infer<typeof webviewRequestSchema>;
export type WebviewRequestMethod = WebviewRequest['method'];
/** A request as the webview writes it, before it gets an id. */
export type WebviewRequestBody = WebviewRequest extends infer R ? (R extends unknown ? Omit<R, 'type' | 'id'> : never) : never;

export const webviewToHostSchema = z.union([z.strictObject({ type: z.literal('ready') }), webviewRequestSchema]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: sidebarStateSchema }),
  z.object({ type: z.literal('server/state'), server: serverViewSchema }),
  z.object({ type: z.literal('run/state'), run: runViewSchema.nullable() }),
  /** A new run's transcript replaces the old one. */
  z.object({ type: z.literal('transcript/reset'), transcript: transcriptSchema }),
  z.object({ type: z.literal('transcript/append'), items: z.array(transcriptItemSchema) }),
  /** More streamed text for a `text` item. */
  z.object({ type: z.literal('transcript/text'), id: z.number().int().nonnegative(), delta: z.string() }),
  z.object({ type: z.literal('history'), runs: z.array(runMetaSchema) }),
  z.object({ type: z.literal('settings'), settings: sidebarSettingsSchema }),
  z.object({ type: z.literal('sandbox'), sandbox: sandboxStatusSchema.nullable() }),
  z.object({ type: z.literal('questions'), questions: z.array(questionViewSchema) }),
  z.object({ type: z.literal('mcp'), mcp: mcpStatusSchema.nullable() }),
  z.object({
    type: z.literal('response'),
    id: z.number().int().nonnegative(),
    ok: z.boolean(),
    error: z.string().optional(),
  }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
