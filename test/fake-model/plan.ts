/**
 * Turns a scripted response into a ResponsePlan: assigns ids, encodes tool
 * arguments, applies the content-changing faults (malformed arguments,
 * truncation), enforces the request's max_tokens and settles the usage
 * numbers. Encoders then only have to format the plan for their wire.
 */
import { createHash } from 'node:crypto';
import type { ResponseFault } from './faults.js';
import type { CacheUsage } from './cacheSim.js';
import { normalizeStop, type ScenarioResponse } from './scenario.js';
import { CHARS_PER_TOKEN, tokensForChars } from './tokens.js';
import type { ModelRequest, PlanItem, ResponsePlan, StopKind } from './types.js';

export interface PlanInput {
  request: ModelRequest;
  response: ScenarioResponse;
  /** Only content-changing faults matter here; others are passed on unchanged. */
  fault: ResponseFault | null;
  cache: CacheUsage;
  /** Server-wide request number, used to make ids unique but reproducible. */
  seq: number;
}

/** Anthropic requires a signature on thinking blocks; derive a stable one. */
function fakeSignature(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function toItems(input: PlanInput): PlanItem[] {
  const toolPrefix = input.request.provider === 'openai' ? 'call_fake' : 'toolu_fake';
  return input.response.content.map((c, i): PlanItem => {
    if (c.kind === 'text') return { kind: 'text', text: c.text };
    if (c.kind === 'thinking') return { kind: 'thinking', text: c.thinking, signature: c.signature ?? fakeSignature(c.thinking) };
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    return { kind: 'tool', id: c.id ?? `${toolPrefix}_${input.seq}_${i}`, name: c.tool, args };
  });
}

/** Invalid JSON that still looks like the intended arguments: `{"a":1}` -> `{"a":1,,}`. */
function corruptArgs(args: string): string {
  return args.endsWith('}') ? `${args.slice(0, -1)},,}` : `${args},,}`;
}

function payload(item: PlanItem): string {
  return item.kind === 'tool' ? item.args : item.text;
}

function outputChars(items: PlanItem[]): number {
  return items.reduce((n, it) => n + Array.from(payload(it)).length, 0);
}

/** Keeps the first `budget` output characters, cutting mid-item like a real token limit. */
function cutItems(items: PlanItem[], budget: number): PlanItem[] {
  const out: PlanItem[] = [];
  let left = budget;
  for (const item of items) {
    const chars = Array.from(payload(item));
    if (chars.length <= left) {
      out.push(item);
      left -= chars.length;
      continue;
    }
    const kept = chars.slice(0, left).join('');
    // A tool call cut to nothing is still started (that is what the limit hits).
    if (item.kind === 'tool') out.push({ ...item, args: kept });
    else if (kept.length > 0) out.push({ ...item, text: kept });
    break;
  }
  return out;
}

/** Output characters before the fault's cut point, or null if nothing to cut. */
function truncateBudget(items: PlanItem[], atChars: number | undefined): number | null {
  const toolIndex = items.findIndex((it) => it.kind === 'tool');
  if (toolIndex >= 0) {
    const before = outputChars(items.slice(0, toolIndex));
    const argsLength = Array.from(payload(items[toolIndex]!)).length;
    // Land strictly inside the arguments so they are never valid JSON.
    const within = Math.min(atChars ?? Math.floor(argsLength / 2), Math.max(0, argsLength - 1));
    return before + within;
  }
  const total = outputChars(items);
  return total === 0 ? null : Math.min(atChars ?? Math.floor(total / 2), total - 1);
}

export function buildPlan(input: PlanInput): ResponsePlan {
  const { request, response, fault } = input;
  let items = toItems(input);
  if (fault?.type === 'malformed_arguments') {
    items = items.map((it) => (it.kind === 'tool' ? { ...it, args: fault.raw ?? corruptArgs(it.args) } : it));
  }

  let stop: StopKind = response.stop ? normalizeStop(response.stop) : items.some((it) => it.kind === 'tool') ? 'tool' : 'end';
  const budgets: number[] = [];
  if (fault?.type === 'truncate') {
    const b = truncateBudget(items, fault.atChars);
    if (b !== null) budgets.push(b);
  }
  if (request.maxTokens !== null && tokensForChars(outputChars(items)) > request.maxTokens) {
    budgets.push(request.maxTokens * CHARS_PER_TOKEN);
  }
  if (budgets.length > 0) {
    items = cutItems(items, Math.min(...budgets));
    stop = 'length';
  }

  const u = response.usage ?? {};
  return {
    messageId: request.provider === 'openai' ? `chatcmpl-fake-${input.seq}` : `msg_fake_${input.seq}`,
    model: request.model,
    items,
    stop,
    usage: {
      uncachedInputTokens: u.inputTokens ?? input.cache.uncachedInputTokens,
      cacheReadTokens: u.cachedTokens ?? input.cache.cacheReadTokens,
      cacheCreationTokens: u.cacheCreationTokens ?? input.cache.cacheCreationTokens,
      outputTokens: u.outputTokens ?? tokensForChars(outputChars(items)),
    },
  };
}
