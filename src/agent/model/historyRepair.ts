import type { ModelMessage, ToolResultPart } from './modelTypes';

/**
 * Makes a history safe to send. Providers reject a tool call without its result (Anthropic refuses
 * the request outright), and a cancel or crash between a tool call and its result leaves exactly
 * that behind. Each orphaned call gets a result saying it did not run; results whose call is gone
 * are dropped.
 */
export function repairHistory(messages: readonly ModelMessage[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index];
    if (message === undefined) continue;
    if (message.role === 'user') {
      const previous = out[out.length - 1];
      const asked = new Set(
        previous?.role === 'assistant' ? previous.content.flatMap((part) => (part.type === 'tool_call' ? [part.id] : [])) : [],
      );
      const content = message.content.filter((part) => part.type !== 'tool_result' || asked.has(part.toolCallId));
      if (content.length > 0) out.push({ role: 'user', content });
      continue;
    }
    out.push(message);
    const callIds = message.content.flatMap((part) => (part.type === 'tool_call' ? [part.id] : []));
    if (callIds.length === 0) continue;
    const next = messages[index + 1];
    const answered = new Set(
      next?.role === 'user' ? next.content.flatMap((part) => (part.type === 'tool_result' ? [part.toolCallId] : [])) : [],
    );
    const missing: ToolResultPart[] = callIds
      .filter((id) => !answered.has(id))
      .map((id) => ({ type: 'tool_result', toolCallId: id, isError: true, content: 'This tool call was interrupted before it ran; it had no effect.' }));
    if (missing.length === 0) continue;
    if (next?.role === 'user') {
      // Merge into the following user turn, results first, so the turn order stays valid.
      messages = [...messages.slice(0, index + 1), { role: 'user', content: [...missing, ...next.content] }, ...messages.slice(index + 2)];
    } else {
      out.push({ role: 'user', content: missing });
    }
  }
  return out;
}
