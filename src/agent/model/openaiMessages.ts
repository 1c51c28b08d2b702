import type OpenAI from 'openai';
import type { ToolSpec } from '../../tools/defineTool';
import type { ModelMessage, ModelRequest } from './modelTypes';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * Translates the neutral conversation to Chat Completions messages. The system prompt and stable
 * context come first and never change within a run, which is what OpenAI's automatic prefix cache
 * (and every compatible server's) keys on.
 */
export function toOpenAiMessages(request: Pick<ModelRequest, 'system' | 'stableContext' | 'messages'>): ChatMessage[] {
  const out: ChatMessage[] = [{ role: 'system', content: request.system }];
  if (request.stableContext !== undefined && request.stableContext !== '') {
    out.push({ role: 'system', content: request.stableContext });
  }
  for (const message of request.messages) out.push(...convert(message));
  return out;
}

function convert(message: ModelMessage): ChatMessage[] {
  if (message.role === 'assistant') {
    const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
    const calls = message.content.flatMap((part) =>
      part.type === 'tool_call'
        ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.rawArguments } }]
        : [],
    );
    return [{ role: 'assistant', content: text === '' ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }];
  }
  // Tool results must directly follow the assistant turn that asked for them; user text comes after.
  const results: ChatMessage[] = [];
  const texts: string[] = [];
  for (const part of message.content) {
    if (part.type === 'tool_result') {
      results.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.isError ? `Error: ${part.content}` : part.content });
    } else {
      texts.push(part.text);
    }
  }
  return texts.length > 0 ? [...results, { role: 'user', content: texts.join('\n\n') }] : results;
}

export function toOpenAiTools(tools: readonly ToolSpec[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
}
