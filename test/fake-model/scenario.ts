/**
 * Scenario files: what the fake model answers, to whom, and in which order.
 * Everything is validated with zod up front so that a typo in a fixture
 * fails loudly at load time instead of producing a confusing test failure.
 * The format is documented in ./README.md.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { FaultSchema } from './faults.js';

const nonNeg = z.number().min(0);

/**
 * A string matcher. A bare string means "contains"; regexes are compiled at
 * load time so an invalid pattern is reported with its location.
 */
const MatcherSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { contains: v } : v),
  z
    .object({ contains: z.string().optional(), regex: z.string().optional(), flags: z.string().optional() })
    .strict()
    .superRefine((m, ctx) => {
      if ((m.contains === undefined) === (m.regex === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'a matcher needs exactly one of "contains" or "regex"' });
        return;
      }
      if (m.regex !== undefined) {
        try {
          new RegExp(m.regex, m.flags);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `invalid regex: ${(e as Error).message}`, path: ['regex'] });
        }
      }
    }),
);
export type Matcher = z.output<typeof MatcherSchema>;

/** All given conditions must hold (AND). */
const MatchSchema = z
  .object({
    system: MatcherSchema.optional(),
    lastUser: MatcherSchema.optional(),
    firstUser: MatcherSchema.optional(),
    model: MatcherSchema.optional(),
    provider: z.enum(['openai', 'anthropic']).optional(),
  })
  .strict();
export type Match = z.output<typeof MatchSchema>;

/** Content items are told apart by their key; tagging them first gives precise errors. */
const ContentItemSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const kind = 'tool' in v ? 'tool' : 'thinking' in v ? 'thinking' : 'text' in v ? 'text' : undefined;
    return kind ? { kind, ...v } : v;
  },
  z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('text'), text: z.string() }).strict(),
      z.object({ kind: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }).strict(),
      z
        .object({
          kind: z.literal('tool'),
          tool: z.string().min(1),
          /** An object is JSON-encoded; a string is sent verbatim (may be invalid JSON). */
          arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
          id: z.string().min(1).optional(),
        })
        .strict(),
    ],
    { error: 'a content item is {"text"}, {"thinking"} or {"tool", "arguments"}' },
  ),
);
export type ContentItem = z.output<typeof ContentItemSchema>;

const StopSchema = z.enum(['end', 'tool', 'length', 'stop', 'tool_calls', 'end_turn', 'tool_use', 'max_tokens']);

/** Overrides for the simulated usage numbers (see README for the mapping). */
const UsageSchema = z
  .object({
    inputTokens: z.number().int().min(0).optional(),
    outputTokens: z.number().int().min(0).optional(),
    cachedTokens: z.number().int().min(0).optional(),
    cacheCreationTokens: z.number().int().min(0).optional(),
  })
  .strict();
export type UsageOverride = z.output<typeof UsageSchema>;

/** A response may be a bare string, a bare list of items, or the full object. */
const ResponseSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { content: [{ text: v }] } : Array.isArray(v) ? { content: v } : v),
  z
    .object({
      content: z.array(ContentItemSchema).default([]),
      stop: StopSchema.optional(),
      usage: UsageSchema.optional(),
      ttftMs: nonNeg.optional(),
      tokensPerSecond: z.number().positive().optional(),
      fault: FaultSchema.optional(),
    })
    .strict(),
);
export type ScenarioResponse = z.output<typeof ResponseSchema>;

const ExhaustedSchema = z.enum(['repeatLast', 'error']);

const RoleSchema = z
  .object({
    /** One condition set, or a list of alternatives (OR). */
    match: z.union([MatchSchema, z.array(MatchSchema).min(1)]).optional(),
    turns: z.array(ResponseSchema).min(1, 'a role needs at least one turn'),
    onExhausted: ExhaustedSchema.optional(),
  })
  .strict();
export type ScenarioRole = z.output<typeof RoleSchema>;

export const ScenarioSchema = z
  .object({
    name: z.string().default('unnamed'),
    description: z.string().optional(),
    /** Model ids listed by GET /v1/models. */
    models: z.array(z.string().min(1)).default(['fake-model']),
    onExhausted: ExhaustedSchema.default('repeatLast'),
    /** Characters of output per SSE delta (~2 tokens by default). */
    chunkChars: z.number().int().min(1).default(8),
    /** Default pacing for every response that does not set its own. */
    latency: z.object({ ttftMs: nonNeg.optional(), tokensPerSecond: z.number().positive().optional() }).strict().default({}),
    /** Role name -> responses. Rules are tried in file order; `default` is the fallback. */
    roles: z.record(z.string().min(1), RoleSchema).refine((r) => Object.keys(r).length > 0, 'define at least one role'),
  })
  .strict();

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Validates a scenario object; `source` names it in the error message. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(value);
  if (!result.success) {
    throw new ScenarioError(`Invalid fake-model scenario (${source}):\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** Reads and validates a scenario JSON file, naming the file in any error. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(`Cannot read fake-model scenario ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`Fake-model scenario ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseScenario(json, path);
}

/** Maps every stop spelling (generic, OpenAI or Anthropic) to the generic one. */
export function normalizeStop(stop: z.output<typeof StopSchema>): 'end' | 'tool' | 'length' {
  if (stop === 'tool' || stop === 'tool_calls' || stop === 'tool_use') return 'tool';
  if (stop === 'length' || stop === 'max_tokens') return 'length';
  return 'end';
}
