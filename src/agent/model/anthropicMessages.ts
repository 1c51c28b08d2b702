import type Anthropic from '@anthropic-ai/sdk';
import type { ToolSpec } from '../../tools/defineTool';
import type { ModelMessage, ModelRequest } from './modelTypes';

type MessageParam = Anthropic.Messages.UserMessageParam | Anthropic.Messages.AssistantMessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type TextBlockParam = Anthropic.Messages.TextBlockParam;

const breakpoint = { type: 'ephemeral' } as const;

/**
 * Anthropic caches a prefix only up to a `cache_control` breakpoint. Plumbline places three of the
 * four allowed: after the tools, after the stable system context, and a rolling one on the newest
 * turn, so each request reads everything before its newest message from the cache.
 */
export function toAnthropicSystem(request: Pick<ModelRequest, 'system' | 'stableContext'>): TextBlockParam[] {
  const blocks: TextBlockParam[] = [{ type: 'text', text: request.system }];
  if (request.stableContext !== undefined && request.stableContext !== '') {
    blocks.push({ type: 'text', text: request.stableContext });
  }
  const last = blocks[blocks.length - 1];
  if (last !== undefined) blocks[blocks.length - 1] = { ...last, cache_control: breakpoint };
  return blocks;
}

export function toAnthropicTools(tools: readonly ToolSpec[]): Anthropic.Messages.Tool[] {
  return tools.map((tool, index) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...tool.inputSchema },
    ...(index === tools.length - 1 ? { cache_control: breakpoint } : {}),
  }));
}

/** Replays a tool call's arguments as the object Anthropic expects; malformed ones as an empty object. */
function argumentsObject(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw === '' ? '{}' : raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function convert(message: ModelMessage): MessageParam {
  if (message.role === 'assistant') {
    const content: ContentBlockParam[] = message.content.map((part): ContentBlockParam => {
      switch (part.type) {
        case 'text':
          return { type: 'text', text: part.text };
        case 'thinking':
          return { type: 'thinking', thinking: part.thinking, signature: part.signature };
        case 'redacted_thinking':
          return { type: 'redacted_thinking', data: part.data };
        case 'tool_call':
          return { type: 'tool_use', id: part.id, name: part.name, input: argumentsObject(part.rawArguments) };
      }
    });
    return { role: 'assistant', content };
  }
  // Anthropic wants tool results first in the user turn that answers a tool_use.
  const results = message.content.filter((part) => part.type === 'tool_result');
  const texts = message.content.filter((part) => part.type === 'text');
  const content: ContentBlockParam[] = [
    ...results.map((part): ContentBlockParam => ({
      type: 'tool_result',
      tool_use_id: part.toolCallId,
      content: part.content,
      ...(part.isError ? { is_error: true } : {}),
    })),
    ...texts.map((part): ContentBlockParam => ({ type: 'text', text: part.text })),
  ];
  return { role: 'user', content };
}

export function toAnthropicMessages(messages: readonly ModelMessage[]): MessageParam[] {
  return messages.map((message, index) => {
    const converted = convert(message);
    return index === messages.length - 1 ? withRollingBreakpoint(converted) : converted;
  });
}

/** Marks the last block of the newest message, so the next request reads all of this one from cache. */
function withRollingBreakpoint(message: MessageParam): MessageParam {
  if (!Array.isArray(message.content)) return message;
  const blocks = [...message.content];
  const last = blocks[blocks.length - 1];
  if (last === undefined || (last.type !== 'text' && last.type !== 'tool_result')) return message;
  blocks[blocks.length - 1] = { ...last, cache_control: breakpoint };
  return message.role === 'user' ? { role: 'user', content: blocks } : { role: 'assistant', content: blocks };
}
