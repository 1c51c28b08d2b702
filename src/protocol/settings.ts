import * as z from 'zod';
import { providerIdSchema } from './provider';

/**
 * The `plumbline.*` settings the agent server reads, as VS Code's `workspace/configuration` returns
 * them for the section `plumbline` (and as the CLI builds them from its flags). Everything has a
 * default, so an empty object is valid; anything malformed is rejected with the setting's name.
 * Secrets are not settings: keys come from SecretStorage or the environment.
 */

const secretHeaderNames = new Set(['authorization', 'api-key', 'x-api-key', 'proxy-authorization']);

const headersSchema = z
  .record(z.string(), z.string())
  .default({})
  .refine((headers) => Object.keys(headers).every((name) => !secretHeaderNames.has(name.toLowerCase())), {
    message: 'API keys do not belong in settings: use "Plumbline: Set API Key…" or the environment, and apiKeyHeader for a custom header name',
  });

/** A role's provider setting: one of the providers, or `auto` (chosen from the keys present). */
export const providerChoiceSchema = z.enum(['auto', ...providerIdSchema.options]);
export type ProviderChoice = z.infer<typeof providerChoiceSchema>;

const emptyToUndefined = (value: unknown): unknown => (value === '' || value === null ? undefined : value);

export const roleSettingsSchema = z.object({
  /** `auto`: Anthropic if it has a key, else OpenAI, else VS Code's models. */
  provider: providerChoiceSchema.default('auto'),
  /** Empty: the provider's default for the role. */
  model: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  /** Empty: the provider's own endpoint. Any OpenAI-compatible server for `openai`. */
  baseUrl: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  /** The model's context window in tokens; empty or 0: the built-in table's (src/agent/model/contextWindows.ts). */
  contextWindow: z.preprocess((value) => (value === 0 ? undefined : emptyToUndefined(value)), z.number().int().min(1024).max(10_000_000).optional()),
});
export type RoleSettings = z.infer<typeof roleSettingsSchema>;

export const priceSettingSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();

/** A command prefix such as `npm run lint`: plain words, no shell operators, substitutions or variables. */
export const commandPrefixSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((entry) => !/[;&|<>()$`\n\r#*?]/.test(entry), { message: 'a command prefix is plain words, such as "npm run lint" (no ; & | < > ( ) $ ` # * ?)' });

/** `plumbline.askUser.timeoutSeconds` when not set. */
export const defaultAskTimeoutSeconds = 300;

/** `plumbline.review.mode`: when the reviewer model grades work. */
export const reviewModeSchema = z.enum(['off', 'steps', 'end']);
export type ReviewMode = z.infer<typeof reviewModeSchema>;
/**
 * Off unless chosen: a review is one more model conversation per step (its tokens and time are in
 * the bench), worth it when a second model is configured to grade the first.
 */
export const defaultReviewMode: ReviewMode = 'off';

/** Model requests per run when nothing else is set (`plumbline.budget.maxCalls`). */
export const defaultMaxCalls = 400;
/** `plumbline.limits.*` when not set. */
export const defaultRunLimits = { maxReplans: 10, maxReplansPerStep: 2, maxJournalMb: 64 } as const;

export const plumblineSettingsSchema = z.object({
  orchestrator: roleSettingsSchema.default({ provider: 'auto' }),
  worker: roleSettingsSchema.default({ provider: 'auto' }),
  /** Nothing set (`auto`, no model, no base URL): the orchestrator's model, so grader and generator differ. */
  reviewer: roleSettingsSchema.default({ provider: 'auto' }),
  /** When the reviewer grades work: `off`, after each step's tests pass (`steps`), or once at the end (`end`). */
  review: z.object({ mode: reviewModeSchema.default(defaultReviewMode) }).default({ mode: defaultReviewMode }),
  /** After a failed attempt (tests or review), the next one runs on the strong (orchestrator's) model. */
  escalation: z.boolean().default(true),
  openai: z
    .object({
      headers: headersSchema,
      /** Send the key in this header instead of `Authorization: Bearer` (Azure OpenAI: `api-key`). */
      apiKeyHeader: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9-]+$/).optional()),
      reasoningEffort: z.preprocess(emptyToUndefined, z.enum(['minimal', 'low', 'medium', 'high']).optional()),
    })
    .default({ headers: {} }),
  anthropic: z
    .object({
      headers: headersSchema,
      /** Extended-thinking budget in tokens; 0 turns it off. */
      thinkingBudgetTokens: z.number().int().min(0).default(0),
    })
    .default({ headers: {}, thinkingBudgetTokens: 0 }),
  maxOutputTokens: z.number().int().min(256).max(128000).default(8192),
  requestTimeoutSeconds: z.number().int().min(5).max(600).default(60),
  /** The project's test command; empty: detected (package.json test script, pytest, cargo test, …). */
  testCommand: z.preprocess(emptyToUndefined, z.string().max(1000).optional()),
  verification: z
    .object({
      timeoutSeconds: z.number().int().min(10).max(7200).default(600),
      /** Attempts per step (the first included) before the step fails. */
      maxAttempts: z.number().int().min(1).max(10).default(3),
      /** Test runs at once, each in its own copy; 0: one per core of this machine. */
      parallel: z.number().int().min(0).max(64).default(0),
    })
    .default({ timeoutSeconds: 600, maxAttempts: 3, parallel: 0 }),
  /** Questions to the user (`ask_user`, the last-attempt question): how long one waits before the run goes on without an answer; 0: no limit. */
  askUser: z.object({ timeoutSeconds: z.number().int().min(0).max(86_400).default(defaultAskTimeoutSeconds) }).default({ timeoutSeconds: defaultAskTimeoutSeconds }),
  /** Commands a model may run (`run_command`): prefixes in argv form, matched on parsed words. */
  commands: z
    .object({
      /** Run without asking (destructive commands are asked about anyway). */
      allow: z.array(commandPrefixSchema).max(200).default([]),
      /** Refused outright, even when an allow entry also matches. */
      deny: z.array(commandPrefixSchema).max(200).default([]),
    })
    .default({ allow: [], deny: [] }),
  /** What the sandbox of tests and commands opens up (user settings only: a workspace cannot widen it). */
  sandbox: z
    .object({
      /** Hosts reachable through the sandbox's proxy: `registry.npmjs.org`, `*.pythonhosted.org`. */
      allowedHosts: z.array(z.string().trim().regex(/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'a host name such as registry.npmjs.org or *.example.com')).max(100).default([]),
      /** More environment variable names to pass on. */
      environment: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')).max(100).default([]),
      /** More folders commands may read (read-only), absolute or `~/…`. */
      readablePaths: z.array(z.string().regex(/^(\/|~\/)/, 'an absolute path or ~/…')).max(100).default([]),
      /** The memory cap of a test run's processes, in MiB; 0: half the machine's memory. */
      memoryMb: z.number().int().min(0).max(1_048_576).default(0),
      /** How many processes a sandboxed command may have at once (Linux); 0: no cap. */
      maxProcesses: z.number().int().min(0).max(1_000_000).default(4096),
    })
    .default({ allowedHosts: [], environment: [], readablePaths: [], memoryMb: 0, maxProcesses: 4096 }),
  /** What one run may spend; a run's own limits (`--max-calls`, `--max-tokens`) take precedence. */
  budget: z
    .object({
      /** Model requests per run, all roles together: a loop stops here whatever else is set. */
      maxCalls: z.number().int().min(1).max(100_000).default(defaultMaxCalls),
      /** Tokens per run (input, output, cache reads and writes); 0: none. What bounds a model without a price. */
      maxTokens: z.number().int().min(0).default(0),
    })
    .default({ maxCalls: defaultMaxCalls, maxTokens: 0 }),
  /** How often a run may re-plan, and how much it may write about itself. */
  limits: z
    .object({
      /** Re-plans after failed steps, per run. */
      maxReplans: z.number().int().min(0).max(1000).default(defaultRunLimits.maxReplans),
      /** Re-plans after the same step fails (a re-planned step with its files and near-identical instructions is the same step). */
      maxReplansPerStep: z.number().int().min(0).max(100).default(defaultRunLimits.maxReplansPerStep),
      /** The run's journal (`.plumbline/runs/<id>/journal.jsonl`), in MB. */
      maxJournalMb: z.number().int().min(1).max(10_240).default(defaultRunLimits.maxJournalMb),
    })
    .default({ ...defaultRunLimits }),
  /** MCP servers (user settings only: `scope: machine`): their definitions and the tools that need no approval. */
  mcp: z
    .object({
      /** `name → definition` in the `.mcp.json` shape; each server is checked on its own (src/agent/mcp/mcpConfig.ts), so one bad entry does not void the settings. */
      servers: z.unknown().optional(),
      /** Tools that are not read-only but run without asking: `mcp__server__tool`, or `mcp__server__*`. */
      allow: z.array(z.string().trim().min(1).max(100).regex(/^mcp__[A-Za-z0-9_*-]+$/, 'an MCP tool name such as mcp__tracker__create_issue, or mcp__tracker__*')).max(200).default([]),
    })
    .default({ allow: [] }),
  /** USD per million tokens, by model id or id prefix; overrides the built-in table. */
  prices: z.record(z.string(), priceSettingSchema).default({}),
});
export type PlumblineSettings = z.infer<typeof plumblineSettingsSchema>;
