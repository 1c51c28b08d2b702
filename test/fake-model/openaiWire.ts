/**
 * Encodes a ResponsePlan on the OpenAI Chat Completions wire: a
 * `chat.completion` JSON body, or `chat.completion.chunk` SSE frames ending
 * in `data: [DONE]`. Shapes follow what the `openai` SDK's accumulator
 * (ChatCompletionStream) expects: role first, tool call id/name in the first
 * delta of each call, arguments split across later deltas, finish_reason on
 * its own chunk, then an optional usage-only chunk with empty `choices`.
 */
import { CHARS_PER_TOKEN, chunkText, tokensForChars } from './tokens.js';
import type { PlanItem, PlanUsage, ResponsePlan, SseFrame, StopKind } from './types.js';

/** Fixed creation time keeps bodies byte-for-byte reproducible. */
export const FAKE_CREATED = 1735689600;

const FINISH: Record<StopKind, string> = { end: 'stop', tool: 'tool_calls', length: 'length' };

type ToolItem = Extract<PlanItem, { kind: 'tool' }>;

function usageJson(u: PlanUsage, items: PlanItem[]): unknown {
  const prompt = u.uncachedInputTokens + u.cacheReadTokens + u.cacheCreationTokens;
  // Thinking is not sent on this wire, but it still "cost" reasoning tokens.
  const thinkingChars = items.reduce((n, it) => n + (it.kind === 'thinking' ? it.text.length : 0), 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: Math.min(u.outputTokens, tokensForChars(thinkingChars)),
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function toolCallJson(t: ToolItem): unknown {
  return { id: t.id, type: 'function', function: { name: t.name, arguments: t.args } };
}

export function openaiCompletion(plan: ResponsePlan): unknown {
  const text = plan.items.map((it) => (it.kind === 'text' ? it.text : '')).join('');
  const tools = plan.items.filter((it): it is ToolItem => it.kind === 'tool');
  const message = {
    role: 'assistant',
    content: text.length > 0 ? text : null,
    refusal: null,
    annotations: [],
    ...(tools.length > 0 ? { tool_calls: tools.map(toolCallJson) } : {}),
  };
  return {
    id: plan.messageId,
    object: 'chat.completion',
    created: FAKE_CREATED,
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[plan.stop] }],
    usage: usageJson(plan.usage, plan.items),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

export function openaiChunks(plan: ResponsePlan, chunkChars: number, includeUsage: boolean): SseFrame[] {
  const base = {
    id: plan.messageId,
    object: 'chat.completion.chunk',
    created: FAKE_CREATED,
    model: plan.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  // With include_usage the real API sends `usage: null` on every regular chunk.
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, tokens: number, finish: string | null = null): SseFrame => ({
    data: JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageNull }),
    tokens,
  });

  const frames: SseFrame[] = [chunk({ role: 'assistant', content: '', refusal: null }, 0)];
  let toolIndex = 0;
  for (const item of plan.items) {
    if (item.kind === 'text') {
      for (const piece of chunkText(item.text, chunkChars)) frames.push(chunk({ content: piece }, piece.length / CHARS_PER_TOKEN));
    } else if (item.kind === 'tool') {
      const index = toolIndex++;
      frames.push(chunk({ tool_calls: [{ index, id: item.id, type: 'function', function: { name: item.name, arguments: '' } }] }, 0));
      for (const piece of chunkText(item.args, chunkChars)) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, piece.length / CHARS_PER_TOKEN));
      }
    }
    // Thinking has no place on this wire; it only shows up as reasoning_tokens.
  }
  frames.push(chunk({}, 0, FINISH[plan.stop]));
  if (includeUsage) {
    frames.push({ data: JSON.stringify({ ...base, choices: [], usage: usageJson(plan.usage, plan.items) }), tokens: 0 });
  }
  frames.push({ data: '[DONE]', tokens: 0 });
  return frames;
}
