import * as z from 'zod';

/**
 * Zod schemas of the provider-neutral conversation as it crosses the process boundary, for the
 * VS Code language-model bridge: the server asks the extension to run a `vscode.lm` request and the
 * extension streams the answer back. They mirror `src/agent/model/modelTypes.ts`.
 */

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const toolCallPart = z.object({ type: z.literal('tool_call'), id: z.string(), name: z.string(), rawArguments: z.string() });
const toolResultPart = z.object({ type: z.literal('tool_result'), toolCallId: z.string(), content: z.string(), isError: z.boolean() });
const thinkingPart = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinkingPart = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

export const modelMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.array(z.discriminatedUnion('type', [textPart, toolResultPart])) }),
  z.object({
    role: z.literal('assistant'),
    content: z.array(z.discriminatedUnion('type', [textPart, toolCallPart, thinkingPart, redactedThinkingPart])),
  }),
]);

export const toolSpecSchema = z.object({
  name: z.string(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
});

const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
});

/** The events the bridge streams; the subset of `ModelEvent` a `vscode.lm` model can produce. */
export const bridgedModelEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), delta: z.string() }),
  z.object({ type: z.literal('tool_call'), call: toolCallPart }),
  z.object({ type: z.literal('usage'), usage: usageSchema }),
  z.object({ type: z.literal('stop'), reason: z.enum(['end_turn', 'tool_use', 'max_tokens', 'refusal', 'other']) }),
]);
export type BridgedModelEvent = z.infer<typeof bridgedModelEventSchema>;

export const lmChatParamsSchema = z.object({
  /** Correlates the streamed events with this request. */
  requestId: z.string().min(1),
  /** A model id or family as VS Code names it; empty for the first model offered. */
  model: z.string(),
  system: z.string(),
  stableContext: z.string().optional(),
  messages: z.array(modelMessageSchema),
  tools: z.array(toolSpecSchema),
  maxOutputTokens: z.number().int().positive(),
});
export type LmChatParams = z.infer<typeof lmChatParamsSchema>;

export const lmChatResultSchema = z.object({
  /** The model that answered, as VS Code describes it. */
  model: z.object({ id: z.string(), vendor: z.string(), family: z.string(), name: z.string() }),
});

/** Why a bridged request failed, so the server can decide about retries like for any provider. */
export const lmErrorDataSchema = z.object({
  kind: z.enum(['not_found', 'auth', 'rate_limited', 'invalid_request', 'server_error']),
});
