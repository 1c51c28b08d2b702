/**
 * Parses an Anthropic Messages request body into the provider-neutral
 * ModelRequest, including where the client put `cache_control` breakpoints.
 * Unknown fields are accepted so new SDK parameters never break the fake.
 */
import * as z from 'zod';
import type { ModelRequest, PromptSegment } from './types.js';

const BlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  cache_control: z.unknown().optional(),
});

const MessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(BlockSchema)]),
});

const RequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(MessageSchema).min(1),
  system: z.union([z.string(), z.array(BlockSchema)]).optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.looseObject({ cache_control: z.unknown().optional() })).optional(),
  /** Top-level (automatic) caching: a breakpoint on the last cacheable block. */
  cache_control: z.unknown().optional(),
});

type Block = z.output<typeof BlockSchema>;

function hasBreakpoint(obj: { cache_control?: unknown }): boolean {
  return obj.cache_control !== undefined && obj.cache_control !== null;
}

/**
 * Serializes a block without its `cache_control`, so that moving a breakpoint
 * does not change the prompt text (as with the real cache).
 */
function segment(obj: Record<string, unknown>): PromptSegment {
  const copy: Record<string, unknown> = { ...obj };
  delete copy['cache_control'];
  return { text: JSON.stringify(copy), breakpoint: hasBreakpoint(obj) };
}

function blocksText(blocks: Block[], separator: string): string {
  return blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join(separator);
}

export type ParseResult = { ok: true; request: ModelRequest } | { ok: false; message: string };

export function parseAnthropicRequest(body: unknown, roleHeader: string | null): ParseResult {
  const parsed = RequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: `fake-model: invalid messages request: ${z.prettifyError(parsed.error)}` };
  const b = parsed.data;

  // Anthropic builds the prompt as tools -> system -> messages.
  const segments: PromptSegment[] = (b.tools ?? []).map(segment);
  if (typeof b.system === 'string') segments.push({ text: JSON.stringify({ system: b.system }), breakpoint: false });
  else for (const block of b.system ?? []) segments.push(segment(block));
  for (const m of b.messages) {
    if (typeof m.content === 'string') {
      segments.push({ text: JSON.stringify({ role: m.role, content: m.content }), breakpoint: false });
      continue;
    }
    segments.push({ text: JSON.stringify({ role: m.role }), breakpoint: false });
    for (const block of m.content) segments.push(segment(block));
  }
  const last = segments.at(-1);
  if (hasBreakpoint(b) && last) last.breakpoint = true;

  const systemText = typeof b.system === 'string' ? b.system : blocksText(b.system ?? [], '\n');
  const lastUser = b.messages.filter((m) => m.role === 'user').at(-1);
  const userText = (m: (typeof b.messages)[number] | undefined): string =>
    m === undefined ? '' : typeof m.content === 'string' ? m.content : blocksText(m.content, '');
  const lastUserText = userText(lastUser);
  const firstUserText = userText(b.messages.find((m) => m.role === 'user'));

  return {
    ok: true,
    request: {
      provider: 'anthropic',
      model: b.model,
      stream: b.stream === true,
      includeUsage: true,
      maxTokens: b.max_tokens,
      systemText,
      lastUserText,
      firstUserText,
      roleHeader,
      promptSegments: segments,
    },
  };
}
