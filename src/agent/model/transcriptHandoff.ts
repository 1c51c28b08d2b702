import type { AssistantMessage, ModelMessage, UserMessage } from './modelTypes';

/** Ids every provider accepts: Anthropic's pattern, within OpenAI's 40 characters. */
const portableId = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * A conversation as another model (maybe another provider) may continue it: an escalated retry
 * keeps the worker's transcript. The neutral messages already translate to either wire; what does
 * not carry over is dropped or renamed here:
 * - thinking blocks, whose signatures only the model that wrote them accepts (a retry starts a new
 *   user turn, so no provider requires them there);
 * - tool call ids one provider made that the other refuses (Anthropic allows `[A-Za-z0-9_-]`,
 *   OpenAI at most 40 characters), renamed the same way in the call and its result.
 */
export function handOffTranscript(messages: readonly ModelMessage[]): ModelMessage[] {
  const renamed = new Map<string, string>();
  const used = new Set<string>();
  const idFor = (id: string): string => {
    const known = renamed.get(id);
    if (known !== undefined) return known;
    let next = portableId.test(id) && !used.has(id) ? id : `call_${id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24)}`;
    for (let suffix = 1; used.has(next) || !portableId.test(next); suffix++) next = `call_h${String(renamed.size)}_${String(suffix)}`;
    used.add(next);
    renamed.set(id, next);
    return next;
  };
  return messages.map((message): ModelMessage => {
    if (message.role === 'user') {
      const content = message.content.map((part) => (part.type === 'tool_result' ? { ...part, toolCallId: idFor(part.toolCallId) } : part));
      return { role: 'user', content } satisfies UserMessage;
    }
    const content = message.content
      .filter((part) => part.type !== 'thinking' && part.type !== 'redacted_thinking')
      .map((part) => (part.type === 'tool_call' ? { ...part, id: idFor(part.id) } : part));
    // A turn that only thought: both wires refuse an empty assistant message.
    return { role: 'assistant', content: content.length > 0 ? content : [{ type: 'text', text: '(no text)' }] } satisfies AssistantMessage;
  });
}
