/**
 * Shared shapes that flow between the request parsers, the scenario selector,
 * the response planner and the two wire encoders. Kept in one place so that
 * the provider-specific files never import each other.
 */

export type Provider = 'openai' | 'anthropic';

/** One contiguous piece of the prompt, used by the prompt-cache simulation. */
export interface PromptSegment {
  /** Canonical serialization of this piece (without any `cache_control`). */
  text: string;
  /** True when the client placed an Anthropic `cache_control` breakpoint here. */
  breakpoint: boolean;
}

/** Provider-neutral view of an incoming model request. */
export interface ModelRequest {
  provider: Provider;
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`; always true for Anthropic. */
  includeUsage: boolean;
  /** `max_tokens` / `max_completion_tokens` from the request, if any. */
  maxTokens: number | null;
  /** System prompt text (OpenAI system/developer messages joined by newlines). */
  systemText: string;
  /** Text of the last user message (text parts only, tool results ignored). */
  lastUserText: string;
  /** Text of the first user message: the brief that tells one agent conversation from another. */
  firstUserText: string;
  /** The role header value, if the client sent one. */
  roleHeader: string | null;
  promptSegments: PromptSegment[];
}

/** Normalized output item, ready to be encoded for either provider. */
export type PlanItem =
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string; signature: string }
  | { kind: 'tool'; id: string; name: string; args: string };

export type StopKind = 'end' | 'tool' | 'length';

export interface PlanUsage {
  /** Prompt tokens NOT read from or written to the cache. */
  uncachedInputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  outputTokens: number;
}

/** Everything an encoder needs to produce one response, JSON or SSE. */
export interface ResponsePlan {
  messageId: string;
  model: string;
  items: PlanItem[];
  stop: StopKind;
  usage: PlanUsage;
}

/** One server-sent event; `tokens` is how much output it carries, for pacing. */
export interface SseFrame {
  event?: string;
  data: string;
  tokens: number;
}
