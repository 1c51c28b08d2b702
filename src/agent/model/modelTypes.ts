import type { ToolSpec } from '../../tools/defineTool';

/**
 * The provider-neutral conversation the engine keeps. Provider adapters translate it to each
 * wire format and translate streamed answers back into `ModelEvent`s.
 */

export type { ProviderId } from '../../protocol/provider';
import type { ProviderId } from '../../protocol/provider';
export type { ModelRole } from '../../protocol/modelRoles';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** Anthropic's extended thinking; kept so a tool-use turn can be replayed with its signature. */
export interface ThinkingPart {
  readonly type: 'thinking';
  readonly thinking: string;
  readonly signature: string;
}

export interface RedactedThinkingPart {
  readonly type: 'redacted_thinking';
  readonly data: string;
}

export interface ToolCallPart {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  /** The arguments exactly as the model sent them (replayed verbatim to keep prefixes stable). */
  readonly rawArguments: string;
}

export interface ToolResultPart {
  readonly type: 'tool_result';
  readonly toolCallId: string;
  readonly content: string;
  readonly isError: boolean;
}

export type UserMessage = { readonly role: 'user'; readonly content: readonly (TextPart | ToolResultPart)[] };
export type AssistantMessage = {
  readonly role: 'assistant';
  readonly content: readonly (TextPart | ToolCallPart | ThinkingPart | RedactedThinkingPart)[];
};
export type ModelMessage = UserMessage | AssistantMessage;

export interface ModelRequest {
  /** Fixed instructions for the role: identical for every request of that role in a run. */
  readonly system: string;
  /** Stable context that follows the system prompt (project rules, the plan), cached with it. */
  readonly stableContext?: string;
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
  readonly maxOutputTokens: number;
  readonly signal: AbortSignal;
}

/** Token usage, normalised: `inputTokens` never includes cached tokens, whatever the provider counts. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

export const emptyUsage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'other';

/** What a streaming call yields, in order. */
export type ModelEvent =
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'thinking'; readonly delta: string }
  /** A complete tool call; emitted when its arguments have fully arrived. */
  | { readonly type: 'tool_call'; readonly call: ToolCallPart }
  /** Extended-thinking blocks to keep in the transcript (Anthropic). */
  | { readonly type: 'reasoning_block'; readonly part: ThinkingPart | RedactedThinkingPart }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'stop'; readonly reason: StopReason }
  /** The stream failed and is being retried from scratch: discard what this call streamed so far. */
  | { readonly type: 'restart'; readonly attempt: number; readonly reason: string };

/** One configured model endpoint; `stream` performs a single attempt (retries live in `resilientStream`). */
export interface ModelClient {
  readonly provider: ProviderId;
  readonly model: string;
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
  /** Loads what the first request needs (no request is made), while the caller waits on other work. */
  warmUp?(): void;
}
