import * as z from 'zod';
import { defineNotification, defineRequest } from './method';
import { symbolQuerySchema, symbolResultSchema } from './symbols';
import { bridgedModelEventSchema, lmChatParamsSchema, lmChatResultSchema } from './modelWire';
import {
  commandApprovalParamsSchema,
  commandApprovalResultSchema,
  planApprovalParamsSchema,
  planApprovalResultSchema,
  reviewParamsSchema,
  reviewResultSchema,
  runEventSchema,
  runMetaSchema,
  runStartParamsSchema,
} from './run';
import { branchListResultSchema, branchReviewParamsSchema } from './branchReview';
import { sandboxConsentParamsSchema, sandboxConsentResultSchema } from './sandbox';
import {
  mcpServerApprovalParamsSchema,
  mcpServerApprovalResultSchema,
  mcpStartParamsSchema,
  mcpStatusParamsSchema,
  mcpStatusSchema,
  vscodeToolInvokeParamsSchema,
  vscodeToolInvokeResultSchema,
  vscodeToolsListResultSchema,
} from './mcp';
import { modelRoleSchema } from './modelRoles';
import { keyedProviderSchema, providerIdSchema } from './provider';
import { serverStatusSchema } from './status';
import { testEvidenceSchema } from './testEvidence';
import { userAnswerSchema, userQuestionParamsSchema } from './userQuestion';

/**
 * The table of custom `plumbline/*` LSP methods: one constant per method, with its direction and the
 * zod schemas of what crosses the process boundary. Server, extension and CLI all import from here,
 * so a method's name and shape are written down exactly once, and all send and handle them through
 * the typed wire (`wire.ts`), which validates both ways. The questions put to the user carry their
 * refusal (`whenMalformed`): what a malformed question or answer means on every side.
 */

/** client → server: the agent server's identity and environment (used by the sidebar and `plumbline doctor`). */
export const statusRequest = defineRequest(
  'plumbline/status',
  'clientToServer',
  z.object({}).strict(),
  serverStatusSchema,
);

export const pingResultSchema = z.object({
  provider: providerIdSchema,
  model: z.string(),
  baseUrl: z.string().nullable(),
  roles: z.array(modelRoleSchema),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  error: z.string().optional(),
});
export type PingResult = z.infer<typeof pingResultSchema>;

/** client → server: a one-token call to each configured model (`plumbline doctor --ping`). */
export const pingModelsRequest = defineRequest(
  'plumbline/models/ping',
  'clientToServer',
  z.object({}).strict(),
  z.object({ results: z.array(pingResultSchema) }),
);

/** A model endpoint that is not saved yet: what Configure Models tests and lists before it writes settings. */
export const candidateEndpointSchema = z.object({
  provider: keyedProviderSchema,
  /** Empty: the provider's own URL. */
  baseUrl: z.union([z.url({ protocol: /^https?$/ }), z.literal('')]),
  model: z.string().max(200),
});
export type CandidateEndpoint = z.infer<typeof candidateEndpointSchema>;

/**
 * client → server: Configure Models' Test Connection: the same one-token call as `plumbline doctor
 * --ping`, on an endpoint not saved yet. The key is the server's (from SecretStorage through its
 * environment): keys never cross the wire.
 */
export const testModelRequest = defineRequest(
  'plumbline/models/test',
  'clientToServer',
  candidateEndpointSchema,
  z.object({ ok: z.boolean(), url: z.string(), latencyMs: z.number().nonnegative(), error: z.string().optional() }),
);

/** client → server: the models a server lists (`GET <baseUrl>/models`), for Configure Models' model pickers. */
export const listModelsRequest = defineRequest(
  'plumbline/models/list',
  'clientToServer',
  candidateEndpointSchema.omit({ model: true }),
  z.object({ models: z.array(z.string().max(300)).max(2000), error: z.string().nullable() }),
);

/**
 * server → client: run a request on one of VS Code's language models (`vscode.lm`). The answer
 * streams back as `plumbline/lm/event` notifications carrying the same `requestId`; the response
 * arrives after the last of them. Cancelling the request cancels the model call.
 */
export const lmChatRequest = defineRequest('plumbline/lm/chat', 'serverToClient', lmChatParamsSchema, lmChatResultSchema);

/** client → server: one streamed event of a `plumbline/lm/chat` request. */
export const lmEventNotification = defineNotification(
  'plumbline/lm/event',
  'clientToServer',
  z.object({ requestId: z.string().min(1), event: bridgedModelEventSchema }),
);

/** client → server: start a run on the first workspace folder; one run at a time per workspace. */
export const runStartRequest = defineRequest(
  'plumbline/run/start',
  'clientToServer',
  runStartParamsSchema,
  z.object({ runId: z.string(), planPath: z.string() }),
);

/** client → server: continue a run that stopped before it finished (a crash, a killed server) from its journal. */
export const runResumeRequest = defineRequest(
  'plumbline/run/resume',
  'clientToServer',
  z.strictObject({ runId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a run id as plumbline runs lists it'), reviewPlan: z.boolean().optional() }),
  z.object({ runId: z.string(), planPath: z.string() }),
);

/** client → server: cancel the active run (every worker stops; nothing more is applied). */
export const runCancelRequest = defineRequest(
  'plumbline/run/cancel',
  'clientToServer',
  z.strictObject({ runId: z.string().optional() }),
  z.object({ cancelled: z.boolean() }),
);

/** client → server: past runs of the workspace, newest first. */
export const runsListRequest = defineRequest('plumbline/runs/list', 'clientToServer', z.strictObject({}), z.object({ runs: z.array(runMetaSchema) }));

/**
 * client → server: undo a finished run: restore every file it changed to its pre-run bytes, except
 * files changed since the run wrote them (the user's edits are never overwritten).
 */
export const runUndoRequest = defineRequest(
  'plumbline/run/undo',
  'clientToServer',
  z.strictObject({ runId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a run id as plumbline runs lists it') }),
  z.object({
    restored: z.array(z.string()),
    skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
    /** Set when nothing was restored and nothing kept: why (already undone, nothing applied). */
    nothingToRestore: z.string().optional(),
  }),
);

/** client → server: the workspace's `plumbline/*` branches (local and remote-tracking), each with its run, steps and verdict from its commits. */
export const branchesListRequest = defineRequest('plumbline/branches/list', 'clientToServer', z.strictObject({}), branchListResultSchema);

/**
 * client → server: review a run's branch: `merge-base(HEAD, branch)..branch` offered over the user's
 * current files as a run of its own (events, the review request, landing, history, undo). A name
 * that is not a safe `plumbline/*` branch is refused by the wire; a missing branch by the server.
 */
export const branchReviewRequest = defineRequest(
  'plumbline/branch/review',
  'clientToServer',
  branchReviewParamsSchema,
  z.object({ runId: z.string(), planPath: z.string() }),
);

/**
 * client → server: run the project's tests once, on the workspace as it is (unsaved buffers
 * included), in an isolated copy; the evidence lists the failing tests and where they failed.
 * Refused while a run is in progress and in Restricted Mode.
 */
export const testsRunRequest = defineRequest(
  'plumbline/tests/run',
  'clientToServer',
  z.strictObject({}),
  z.object({ evidence: testEvidenceSchema }),
);

/** server → client: everything a run reports, in order. */
export const runEventNotification = defineNotification('plumbline/run/event', 'serverToClient', z.object({ event: runEventSchema }));

/** server → client: the plan is ready; the user approves it (after editing plan.md, perhaps) or cancels. Malformed: cancel. */
export const planApprovalRequest = defineRequest('plumbline/plan/approve', 'serverToClient', planApprovalParamsSchema, planApprovalResultSchema, {
  whenMalformed: { decision: 'cancel' },
});

/**
 * server → client: a worker asked to run a command the policy will not run on its own; the client
 * shows it in full with the reasons and answers `run` (once) or `deny`. A client that cannot ask
 * (no UI, no terminal) answers `deny`; an error, a missing handler or a malformed message counts as `deny`.
 */
export const commandApprovalRequest = defineRequest('plumbline/command/approve', 'serverToClient', commandApprovalParamsSchema, commandApprovalResultSchema, {
  whenMalformed: { decision: 'deny' },
});

/**
 * server → client: this machine has no sandbox; before anything runs on changes nobody has
 * reviewed, the user chooses (once per run) to run the tests unconfined, to review first, or to
 * cancel. A client that cannot ask answers with an error, which stops the run; a malformed message is `cancel`.
 */
export const sandboxConsentRequest = defineRequest('plumbline/sandbox/consent', 'serverToClient', sandboxConsentParamsSchema, sandboxConsentResultSchema, {
  whenMalformed: { decision: 'cancel' },
});

/**
 * server → client: a question for the user (a model's `ask_user`, or whether a step about to fail for
 * good gets more attempts). Several may be open at once, one per asking step; the server cancels the
 * request when the run stops or the question times out. `answer: null` when the client cannot ask
 * (no terminal, `--json`); an error, a missing handler or a malformed message counts as no answer.
 */
export const askUserRequest = defineRequest('plumbline/user/ask', 'serverToClient', userQuestionParamsSchema, userAnswerSchema, {
  whenMalformed: { answer: null },
});

/** server → client: changes ready to land; the answer lists the paths the user accepted. Malformed: nothing accepted. */
export const reviewRequest = defineRequest('plumbline/review', 'serverToClient', reviewParamsSchema, reviewResultSchema, {
  whenMalformed: { decisions: [] },
});

/** server → client: workspace symbols or references from the editor's language servers (VS Code only). */
export const symbolsRequest = defineRequest('plumbline/symbols', 'serverToClient', symbolQuerySchema, symbolResultSchema);

/** server → client: save these documents after an approved edit landed through `workspace/applyEdit`. Malformed: nothing saved. */
export const saveDocumentsRequest = defineRequest(
  'plumbline/documents/save',
  'serverToClient',
  z.strictObject({ uris: z.array(z.string()) }),
  z.object({ saved: z.array(z.string()) }),
  { whenMalformed: { saved: [] } },
);

/**
 * client → server: the workspace's MCP servers with their approval, state and tools. By default
 * they are started (or refreshed) first, which may ask `mcpServerApprovalRequest` (`plumbline
 * doctor`); with `start: false` nothing starts and nothing is asked (the sidebar).
 */
export const mcpStatusRequest = defineRequest('plumbline/mcp/status', 'clientToServer', mcpStatusParamsSchema, mcpStatusSchema);

/**
 * client → server: start one configured server now (the sidebar's Start): a workspace's server is
 * asked about first (`mcpServerApprovalRequest`, Restricted Mode refuses); answers the status after.
 */
export const mcpStartRequest = defineRequest('plumbline/mcp/start', 'clientToServer', mcpStartParamsSchema, mcpStatusSchema);

/**
 * server → client: may this server, defined by the workspace, run? Asked once per exact definition
 * (command, arguments, variable names); a client that cannot ask answers with an error, which (like a
 * malformed answer) is a denial: the server does not start.
 */
export const mcpServerApprovalRequest = defineRequest('plumbline/mcp/approveServer', 'serverToClient', mcpServerApprovalParamsSchema, mcpServerApprovalResultSchema, {
  whenMalformed: { decision: 'deny' },
});

/**
 * server → client (VS Code only): the tools of the MCP servers VS Code itself runs (`vscode.lm.tools`
 * tagged `mcp`), which a run offers its model as `vscode__<tool>`. A client that has none, or cannot
 * answer, gives the run none.
 */
export const vscodeToolsListRequest = defineRequest('plumbline/vscodeTools/list', 'serverToClient', z.strictObject({}), vscodeToolsListResultSchema);

/**
 * server → client (VS Code only): call one of those tools (`vscode.lm.invokeTool`) with the model's
 * input, after the run's approval. Cancelling the request cancels the call.
 */
export const vscodeToolInvokeRequest = defineRequest('plumbline/vscodeTools/invoke', 'serverToClient', vscodeToolInvokeParamsSchema, vscodeToolInvokeResultSchema);

/** Every custom method, for documentation and for tests that check the table is consistent. */
export const allMethods = [
  statusRequest,
  pingModelsRequest,
  testModelRequest,
  listModelsRequest,
  lmChatRequest,
  lmEventNotification,
  runStartRequest,
  runCancelRequest,
  runResumeRequest,
  runsListRequest,
  runUndoRequest,
  branchesListRequest,
  branchReviewRequest,
  testsRunRequest,
  runEventNotification,
  planApprovalRequest,
  commandApprovalRequest,
  sandboxConsentRequest,
  reviewRequest,
  askUserRequest,
  symbolsRequest,
  saveDocumentsRequest,
  mcpStatusRequest,
  mcpStartRequest,
  mcpServerApprovalRequest,
  vscodeToolsListRequest,
  vscodeToolInvokeRequest,
] as const;
