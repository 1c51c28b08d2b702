/**
 * Prompt figures from recorded Anthropic request bodies: the fixed part's size in o200k_base
 * tokens, and how much of each request's serialized prompt repeats the previous one verbatim
 * (what a provider's prompt cache can reuse).
 */
import { getEncoding } from 'js-tiktoken';
import * as z from 'zod';
import type { RecordedRequest } from '../test/fake-model/index';

const blockSchema = z.looseObject({ type: z.string() });
const bodySchema = z.looseObject({
  system: z.union([z.string(), z.array(blockSchema)]).optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
  messages: z.array(z.object({ role: z.string(), content: z.union([z.string(), z.array(blockSchema)]) })),
});
type Body = z.infer<typeof bodySchema>;

function bodyOf(request: RecordedRequest): Body {
  return bodySchema.parse(request.body);
}

function withoutCacheControl(value: Record<string, unknown>): string {
  const { cache_control: _ignored, ...rest } = value;
  return JSON.stringify(rest);
}

function systemText(body: Body): string {
  if (body.system === undefined) return '';
  if (typeof body.system === 'string') return body.system;
  return body.system.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n');
}

/** Serialized in the provider's prompt order: tools, then system, then messages, block by block. */
function fixedPart(body: Body): string {
  const tools = (body.tools ?? []).map(withoutCacheControl);
  const system = typeof body.system === 'string' ? [JSON.stringify({ system: body.system })] : (body.system ?? []).map(withoutCacheControl);
  return [...tools, ...system].join('\n');
}

export function serializedPrompt(request: RecordedRequest): string {
  const body = bodyOf(request);
  const messages = body.messages.flatMap((message) =>
    typeof message.content === 'string' ? [JSON.stringify(message)] : [JSON.stringify({ role: message.role }), ...message.content.map(withoutCacheControl)],
  );
  return [fixedPart(body), ...messages].join('\n');
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  return i;
}

const encoder = getEncoding('o200k_base');

/** Tokens of the system prompt plus the tool definitions as sent (JSON). */
export function fixedPromptTokens(request: RecordedRequest): { tokens: number; systemTokens: number; toolTokens: number; tools: number } {
  const body = bodyOf(request);
  const systemTokens = encoder.encode(systemText(body)).length;
  const toolTokens = encoder.encode(JSON.stringify(body.tools ?? [])).length;
  return { tokens: systemTokens + toolTokens, systemTokens, toolTokens, tools: body.tools?.length ?? 0 };
}

/**
 * For each request after the first of a conversation: the share of the previous request's
 * serialized prompt that the new one repeats verbatim as its own prefix (100% = append-only).
 */
export function prefixReuse(conversation: readonly RecordedRequest[]): number[] {
  const prompts = conversation.map(serializedPrompt);
  return prompts.slice(1).map((prompt, index) => {
    const previous = prompts[index] ?? '';
    return previous.length === 0 ? 1 : commonPrefix(previous, prompt) / previous.length;
  });
}

/** Share of the first conversation's fixed part (tools + system) that another's first request repeats. */
export function sharedFixedPrefix(a: RecordedRequest, b: RecordedRequest): number {
  const fixedA = fixedPart(bodyOf(a));
  const promptB = serializedPrompt(b);
  return fixedA.length === 0 ? 1 : Math.min(commonPrefix(fixedA, promptB), fixedA.length) / fixedA.length;
}

/** The edit_file calls the workers made, from the assistant turns their later requests repeat: path → argument JSON as streamed. */
export function editCalls(requests: readonly RecordedRequest[]): Map<string, string[]> {
  const seen = new Set<string>();
  const byPath = new Map<string, string[]>();
  for (const request of requests) {
    if (request.role?.startsWith('worker') !== true) continue;
    for (const message of bodyOf(request).messages) {
      if (message.role !== 'assistant' || typeof message.content === 'string') continue;
      for (const block of message.content) {
        if (block.type !== 'tool_use' || block.name !== 'edit_file' || typeof block.id !== 'string' || seen.has(block.id)) continue;
        seen.add(block.id);
        const input = block.input as { path?: unknown };
        const path = typeof input.path === 'string' ? input.path : '';
        byPath.set(path, [...(byPath.get(path) ?? []), JSON.stringify(block.input)]);
      }
    }
  }
  return byPath;
}

/** The changed lines of a change set's hunks (`-` and `+` lines, no headers or context): the minimal diff. */
export function minimalDiff(hunks: readonly { readonly lines: readonly { readonly kind: string; readonly text: string }[] }[]): string {
  return hunks.flatMap((hunk) => hunk.lines.filter((line) => line.kind !== 'context').map((line) => `${line.kind === 'add' ? '+' : '-'}${line.text}`)).join('\n');
}

export function tokens(text: string): number {
  return encoder.encode(text).length;
}
