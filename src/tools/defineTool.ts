import * as z from 'zod';

/** What every tool's `run` receives besides its input; tool families extend it (workspace, owned files). */
export interface ToolContext {
  readonly signal: AbortSignal;
}

/** What a tool hands back to the model: text it reads as data, and whether the call failed. */
export interface ToolResult {
  readonly content: string;
  readonly isError: boolean;
  /** Set by a terminal tool (submit_plan, finish) that was accepted: the agent loop ends after this turn. */
  readonly stop?: boolean;
}

/** A model-facing tool: a snake_case name, a description for the model, a zod input schema and `run`. */
export interface ToolDefinition<I extends z.ZodType = z.ZodType, C extends ToolContext = ToolContext> {
  readonly name: string;
  readonly description: string;
  readonly input: I;
  run(input: z.infer<I>, context: C): Promise<ToolResult>;
}

/** The provider-neutral form of a tool sent to a model: JSON Schema derived once from the zod schema. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
}

const toolNamePattern = /^[a-z][a-z0-9_]{0,63}$/;

export function defineTool<I extends z.ZodType, C extends ToolContext = ToolContext>(definition: ToolDefinition<I, C>): ToolDefinition<I, C> {
  if (!toolNamePattern.test(definition.name)) {
    throw new Error(`Tool name "${definition.name}" must be snake_case: lowercase letters, digits and _, at most 64.`);
  }
  return definition;
}

export function toToolSpec<C extends ToolContext>(tool: ToolDefinition<z.ZodType, C>): ToolSpec {
  // Input mode: a field with a default is optional to the model, as it is to the parser.
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7', unrepresentable: 'any', io: 'input' });
  // The $schema marker is noise to a model and costs prompt tokens on every request.
  const { $schema: _ignored, ...inputSchema } = schema as Record<string, unknown>;
  return { name: tool.name, description: tool.description, inputSchema: withoutNoiseBounds(inputSchema) };
}

/**
 * Bounds that cost tokens in every request and tell a model nothing: zod's ±2^53 on every integer,
 * and `minLength: 1` on strings (a path, a command, a summary is never meant empty). The parser
 * still enforces both, and says so in the tool's error when a call breaks one.
 */
function withoutNoiseBounds(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'maximum' && value === Number.MAX_SAFE_INTEGER) || (key === 'minimum' && value === Number.MIN_SAFE_INTEGER)) continue;
    if (key === 'minLength' && value === 1 && schema.type === 'string') continue;
    out[key] = Array.isArray(value)
      ? value.map((item: unknown) => (typeof item === 'object' && item !== null ? withoutNoiseBounds(item as Record<string, unknown>) : item))
      : typeof value === 'object' && value !== null
        ? withoutNoiseBounds(value as Record<string, unknown>)
        : value;
  }
  return out;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `- ${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('\n');
}

/**
 * Runs a tool call exactly as a model made it. Invalid input, unknown tools and thrown errors all
 * come back as an error result the model can read and correct: nothing escapes the agent loop.
 */
export async function invokeTool<C extends ToolContext>(
  tools: ReadonlyMap<string, ToolDefinition<z.ZodType, C>>,
  name: string,
  rawInput: unknown,
  context: C,
): Promise<ToolResult> {
  const tool = tools.get(name);
  if (tool === undefined) {
    return { isError: true, content: `Unknown tool "${name}". Available tools: ${[...tools.keys()].join(', ')}.` };
  }
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success) {
    return { isError: true, content: `Invalid input for ${name}:\n${formatIssues(parsed.error)}` };
  }
  try {
    return await tool.run(parsed.data, context);
  } catch (error) {
    return { isError: true, content: `${name} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Builds the name → tool map a worker or orchestrator is allowed to call. */
export function toolRegistry<C extends ToolContext>(tools: readonly ToolDefinition<z.ZodType, C>[]): ReadonlyMap<string, ToolDefinition<z.ZodType, C>> {
  const registry = new Map<string, ToolDefinition<z.ZodType, C>>();
  for (const tool of tools) {
    if (registry.has(tool.name)) throw new Error(`Two tools are named "${tool.name}".`);
    registry.set(tool.name, tool);
  }
  return registry;
}
