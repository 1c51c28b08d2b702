/**
 * The scripted model plays by the tools it is offered: every tool call of a scripted turn names a
 * tool of the request it answers, with the arguments that tool's JSON Schema requires and no
 * others where it allows none. A benchmark whose script drifted from the tools would measure
 * refusals instead of work.
 */
import type { RecordedRequest, ScenarioInput } from '../test/fake-model/index';

interface ToolSchema {
  readonly name: string;
  readonly required: readonly string[];
  readonly properties: readonly string[] | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The tools of a request, Anthropic (`input_schema`) or OpenAI (`function.parameters`) shaped. */
function offeredTools(body: unknown): ToolSchema[] {
  const tools = isRecord(body) && Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  return tools.flatMap((tool) => {
    if (!isRecord(tool)) return [];
    const fn = isRecord(tool.function) ? tool.function : tool;
    const schema = isRecord(fn.input_schema) ? fn.input_schema : isRecord(fn.parameters) ? fn.parameters : {};
    if (typeof fn.name !== 'string') return [];
    const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
    const properties = schema.additionalProperties === false && isRecord(schema.properties) ? Object.keys(schema.properties) : undefined;
    return [{ name: fn.name, required, properties }];
  });
}

/** What does not fit, one line per call; empty when every scripted call fits the tools offered. */
export function checkToolUse(scenario: ScenarioInput, requests: readonly RecordedRequest[]): string[] {
  const problems: string[] = [];
  const roles = scenario.roles as Record<string, { turns: { content?: unknown[] }[] }>;
  for (const request of requests) {
    if (request.role === undefined || request.role === null || request.turn === undefined || request.turn === null) continue;
    const turn = roles[request.role]?.turns[request.turn];
    const offered = offeredTools(request.body);
    for (const item of turn?.content ?? []) {
      if (!isRecord(item) || typeof item.tool !== 'string') continue;
      const tool = offered.find((candidate) => candidate.name === item.tool);
      const where = `${request.role} turn ${request.turn}`;
      if (tool === undefined) {
        problems.push(`${where} calls ${item.tool}, which the request did not offer (${offered.map((entry) => entry.name).join(', ')})`);
        continue;
      }
      const args = isRecord(item.arguments) ? item.arguments : {};
      const missing = tool.required.filter((key) => !(key in args));
      const unknown = tool.properties === undefined ? [] : Object.keys(args).filter((key) => !tool.properties?.includes(key));
      if (missing.length > 0) problems.push(`${where}: ${item.tool} misses ${missing.join(', ')}`);
      if (unknown.length > 0) problems.push(`${where}: ${item.tool} does not take ${unknown.join(', ')}`);
    }
  }
  return problems;
}
