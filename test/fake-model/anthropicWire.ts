/**
 * Encodes a ResponsePlan on the Anthropic Messages wire: a `message` JSON
 * body, or the SSE event sequence message_start, ping, per-block
 * content_block_start / *_delta / content_block_stop, message_delta (stop
 * reason + final usage) and message_stop, as `client.messages.stream()`
 * accumulates it.
 */
import { CHARS_PER_TOKEN, chunkText } from './tokens.js';
import type { PlanItem, PlanUsage, ResponsePlan, SseFrame, StopKind } from './types.js';

const STOP: Record<StopKind, string> = { end: 'end_turn', tool: 'tool_use', length: 'max_tokens' };

function usageJson(u: PlanUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: u.uncachedInputTokens,
    cache_creation_input_tokens: u.cacheCreationTokens,
    cache_read_input_tokens: u.cacheReadTokens,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheCreationTokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/**
 * Tool input as an object. Arguments that are not valid JSON (a malformed
 * or truncated fault) are passed through as the raw string, so the client's
 * validation sees exactly what was scripted.
 */
function toolInput(args: string): unknown {
  if (args === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

function blockJson(item: PlanItem): unknown {
  if (item.kind === 'text') return { type: 'text', text: item.text };
  if (item.kind === 'thinking') return { type: 'thinking', thinking: item.text, signature: item.signature };
  return { type: 'tool_use', id: item.id, name: item.name, input: toolInput(item.args) };
}

export function anthropicMessage(plan: ResponsePlan): unknown {
  return {
    id: plan.messageId,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: plan.items.map(blockJson),
    stop_reason: STOP[plan.stop],
    stop_sequence: null,
    usage: usageJson(plan.usage, plan.usage.outputTokens),
  };
}

function frame(type: string, body: object, tokens = 0): SseFrame {
  return { event: type, data: JSON.stringify({ type, ...body }), tokens };
}

function blockFrames(item: PlanItem, index: number, chunkChars: number): SseFrame[] {
  const delta = (d: object, piece: string): SseFrame =>
    frame('content_block_delta', { index, delta: d }, piece.length / CHARS_PER_TOKEN);
  const out: SseFrame[] = [];
  if (item.kind === 'text') {
    out.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const p of chunkText(item.text, chunkChars)) out.push(delta({ type: 'text_delta', text: p }, p));
  } else if (item.kind === 'thinking') {
    out.push(frame('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const p of chunkText(item.text, chunkChars)) out.push(delta({ type: 'thinking_delta', thinking: p }, p));
    out.push(delta({ type: 'signature_delta', signature: item.signature }, ''));
  } else {
    out.push(frame('content_block_start', { index, content_block: { type: 'tool_use', id: item.id, name: item.name, input: {} } }));
    // The real API opens every tool input with an empty delta; mirror it.
    out.push(delta({ type: 'input_json_delta', partial_json: '' }, ''));
    for (const p of chunkText(item.args, chunkChars)) out.push(delta({ type: 'input_json_delta', partial_json: p }, p));
  }
  out.push(frame('content_block_stop', { index }));
  return out;
}

export function anthropicEvents(plan: ResponsePlan, chunkChars: number): SseFrame[] {
  const start = {
    id: plan.messageId,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usageJson(plan.usage, 1),
  };
  return [
    frame('message_start', { message: start }),
    frame('ping', {}),
    ...plan.items.flatMap((item, i) => blockFrames(item, i, chunkChars)),
    frame('message_delta', { delta: { stop_reason: STOP[plan.stop], stop_sequence: null }, usage: usageJson(plan.usage, plan.usage.outputTokens) }),
    frame('message_stop', {}),
  ];
}
