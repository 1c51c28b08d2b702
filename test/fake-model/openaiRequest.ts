/**
 * Parses an OpenAI Chat Completions request body into the provider-neutral
 * ModelRequest. The schema is deliberately loose (unknown fields pass): the
 * fake should accept whatever a real client sends and only insist on what
 * it actually uses.
 */
import * as z from 'zod';
import type { ModelRequest, PromptSegment } from './types.js';

const PartSchema = z.looseObject({ type: z.string().optional(), text: z.string().optional() });

const MessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(PartSchema), z.null()]).optional(),
});

const RequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(z.unknown()).nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
});

type OpenAIMessage = z.output<typeof MessageSchema>;

function messageText(m: OpenAIMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (!Array.isArray(m.content)) return '';
  return m.content.map((p) => (p.type === 'text' || p.type === undefined ? (p.text ?? '') : '')).join('');
}

export type ParseResult = { ok: true; request: ModelRequest } | { ok: false; message: string };

export function parseOpenAIRequest(body: unknown, roleHeader: string | null): ParseResult {
  const parsed = RequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: `fake-model: invalid chat completions request: ${z.prettifyError(parsed.error)}` };
  const b = parsed.data;
  const systemText = b.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map(messageText)
    .join('\n');
  const lastUser = b.messages.filter((m) => m.role === 'user').at(-1);
  // Tools first, then messages: the order in which providers build the prompt,
  // so the cache simulation sees adding a message as extending a prefix.
  const segments: PromptSegment[] = [
    ...(b.tools ?? []).map((t) => ({ text: JSON.stringify(t), breakpoint: false })),
    ...b.messages.map((m) => ({ text: JSON.stringify(m), breakpoint: false })),
  ];
  return {
    ok: true,
    request: {
      provider: 'openai',
      model: b.model,
      stream: b.stream === true,
      includeUsage: b.stream_options?.include_usage === true,
      maxTokens: b.max_completion_tokens ?? b.max_tokens ?? null,
      systemText,
      lastUserText: lastUser ? messageText(lastUser) : '',
      firstUserText: ((first) => (first ? messageText(first) : ''))(b.messages.find((m) => m.role === 'user')),
      roleHeader,
      promptSegments: segments,
    },
  };
}
