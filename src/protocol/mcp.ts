import * as z from 'zod';

/** The MCP servers a workspace has, as doctor and the sidebar show them (src/agent/mcp/ keeps them). */

export const mcpServerStateSchema = z.enum([
  /** Connecting (or waiting for the user's approval). */
  'starting',
  'ready',
  /** It would not start or answer: `detail` says why. */
  'failed',
  /** Defined by a workspace in Restricted Mode: never started. */
  'untrusted',
  /** Defined by the workspace and not approved (declined, or nobody to ask). */
  'not-approved',
  /** Configured, not running in this agent server (a status that starts nothing; the next run starts it). */
  'stopped',
]);

/**
 * Whether a server may start, without starting it: the user's own need no approval; a workspace's
 * needs a trusted workspace and the user's yes to its exact definition (`changed`: a yes was given
 * to an earlier definition of the same server in this folder, so it is asked again).
 */
export const mcpApprovalStateSchema = z.enum(['not-needed', 'approved', 'needs-approval', 'changed', 'declined', 'untrusted']);
export type McpApprovalState = z.infer<typeof mcpApprovalStateSchema>;

export const mcpServerStatusSchema = z.object({
  name: z.string(),
  /** `workspace`: `.vscode/mcp.json` or `.mcp.json` (needs trust and approval); `user`: settings or `--mcp-config`. */
  origin: z.enum(['workspace', 'user']),
  source: z.string(),
  transport: z.enum(['stdio', 'http']),
  state: mcpServerStateSchema,
  approval: mcpApprovalStateSchema,
  detail: z.string(),
  /** The command line or address, for people (never a variable's value). */
  summary: z.string().max(20_000),
  /**
   * The tools as the model calls them (`mcp__<server>__<tool>`), of a server running in this agent
   * server. The description is the server's words: data, shown as text, never as markup.
   */
  tools: z.array(z.object({ name: z.string(), readOnly: z.boolean(), description: z.string().max(1000).optional() })),
});
export type McpServerStatus = z.infer<typeof mcpServerStatusSchema>;

export const mcpStatusSchema = z.object({
  servers: z.array(mcpServerStatusSchema),
  /** Configuration problems, each naming its file and field. */
  problems: z.array(z.string()),
});
export type McpStatus = z.infer<typeof mcpStatusSchema>;

export const mcpStatusParamsSchema = z.strictObject({
  /**
   * false: report what is configured, approved and already running, and start nothing (the
   * sidebar). Absent or true: start what may start first, asking approval where needed (`plumbline doctor`).
   */
  start: z.boolean().optional(),
});

/** client → server: start one configured server (asking its approval first when the workspace defines it). */
export const mcpStartParamsSchema = z.strictObject({ name: z.string().min(1).max(64) });

/** server → client: may a server the workspace defines run? Asked once per exact definition. */
export const mcpServerApprovalParamsSchema = z.strictObject({
  name: z.string().max(200),
  source: z.string().max(4096),
  transport: z.enum(['stdio', 'http']),
  /** The command line, or the address. */
  summary: z.string().max(20_000),
  /** The variables it sets or references (names only). */
  environment: z.array(z.string().max(200)).max(500),
});
export const mcpServerApprovalResultSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  /** Why nobody decided (`no terminal to ask on`): the server is not started, and asked about again next time. */
  unanswered: z.string().max(500).optional(),
});
export type McpServerApprovalAnswer = z.infer<typeof mcpServerApprovalResultSchema>;

/**
 * One of VS Code's own language model tools, as the client lists it (`vscode.lm.tools`): only the
 * tools of MCP servers VS Code runs (tagged `mcp`), never Plumbline's own. Every field is the
 * server's words: data.
 */
export const vscodeToolInfoSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(4000),
  /** JSON Schema of the input; absent: any object. */
  inputSchema: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().max(100)).max(50),
});
export type VsCodeToolInfo = z.infer<typeof vscodeToolInfoSchema>;

export const vscodeToolsListResultSchema = z.object({ tools: z.array(vscodeToolInfoSchema).max(500) });

/** Characters of one VS Code tool's result that cross the wire (the engine caps what the model reads again). */
export const maxVsCodeToolResultChars = 200_000;

export const vscodeToolInvokeParamsSchema = z.strictObject({
  name: z.string().min(1).max(200),
  input: z.record(z.string(), z.unknown()),
});
export const vscodeToolInvokeResultSchema = z.object({
  /** The tool threw (or VS Code refused the call): `text` says why. */
  isError: z.boolean(),
  text: z.string().max(maxVsCodeToolResultChars),
});
export type VsCodeToolInvokeResult = z.infer<typeof vscodeToolInvokeResultSchema>;
