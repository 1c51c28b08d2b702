import * as z from 'zod';
import { parseJsonc } from './jsonc';

/**
 * MCP server definitions, from the four places a user keeps them: VS Code's `.vscode/mcp.json`
 * (`servers`), the `.mcp.json` other agents read (`mcpServers`), `plumbline.mcp.servers` in user
 * settings, and `--mcp-config FILE` on the CLI (the `.mcp.json` shape). Each server is parsed on
 * its own, so one bad entry is reported (file and field) and the others still start.
 */

/** Where a definition came from: a workspace's file runs code nobody approved yet; the user's own does not ask. */
export type McpOrigin = 'workspace' | 'user';

export type McpTransport =
  | { readonly kind: 'stdio'; readonly command: string; readonly args: readonly string[]; readonly env: Readonly<Record<string, string>>; readonly cwd?: string }
  | { readonly kind: 'http'; readonly url: string; readonly headers: Readonly<Record<string, string>> };

export interface McpServerDefinition {
  /** The name the file gives it (the key under `servers` / `mcpServers`). */
  readonly name: string;
  readonly origin: McpOrigin;
  /** For people: the file (or setting) it came from. */
  readonly source: string;
  readonly transport: McpTransport;
}

export interface McpConfigProblem {
  readonly source: string;
  /** The field, as a path: `servers.github.command`. */
  readonly field: string;
  readonly message: string;
}

export interface ParsedMcpConfig {
  readonly servers: readonly McpServerDefinition[];
  readonly problems: readonly McpConfigProblem[];
}

const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)');
const stringMap = z.record(z.string(), z.string().max(8192)).default({});

const stdioSchema = z.looseObject({
  type: z.literal('stdio').optional(),
  command: z.string({ error: 'required: a stdio server needs "command" (the program to run); an HTTP server needs "url"' }).trim().min(1, 'command must not be empty').max(4096),
  args: z.array(z.string().max(8192)).max(200).default([]),
  env: z.record(envNameSchema, z.string().max(8192)).default({}),
  cwd: z.string().min(1).max(4096).optional(),
});

const httpSchema = z.looseObject({
  type: z.enum(['http', 'streamableHttp', 'streamable-http']).optional(),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// address' }),
  headers: stringMap,
});

/** Names become part of tool names and of the approval key: short, one line. */
const serverNameSchema = z.string().min(1, 'a server name must not be empty').max(64, 'a server name is at most 64 characters').regex(/^[^\r\n]*$/, 'a server name must be a single line');

/** The top-level key of each format. */
export type McpConfigFormat = 'vscode' | 'mcpServers';
const topLevelKey: Record<McpConfigFormat, string> = { vscode: 'servers', mcpServers: 'mcpServers' };

function issuesOf(error: z.ZodError, source: string, prefix: string): McpConfigProblem[] {
  return error.issues.map((issue) => ({ source, field: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.'), message: issue.message }));
}

/** One server's entry; what it cannot use is a problem naming the field. */
function parseServer(name: string, raw: unknown, source: string, origin: McpOrigin, prefix: string): McpServerDefinition | McpConfigProblem[] {
  const field = `${prefix}.${name}`;
  const named = serverNameSchema.safeParse(name);
  if (!named.success) return issuesOf(named.error, source, field);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ source, field, message: 'a server is an object with "command" (stdio) or "url" (http)' }];
  const entry = raw as Record<string, unknown>;
  const type = entry.type;
  if (type === 'sse') return [{ source, field: `${field}.type`, message: 'the "sse" transport is deprecated and not supported; use the server\'s streamable HTTP address with "type": "http"' }];
  if (type !== undefined && type !== 'stdio' && type !== 'http' && type !== 'streamableHttp' && type !== 'streamable-http') {
    return [{ source, field: `${field}.type`, message: `${JSON.stringify(type)} is not a transport Plumbline knows: use "stdio" (with "command") or "http" (with "url")` }];
  }
  const isHttp = type === 'http' || type === 'streamableHttp' || type === 'streamable-http' || (type === undefined && entry.url !== undefined && entry.command === undefined);
  if (isHttp) {
    const parsed = httpSchema.safeParse(entry);
    if (!parsed.success) return issuesOf(parsed.error, source, field);
    return { name, origin, source, transport: { kind: 'http', url: parsed.data.url, headers: parsed.data.headers } };
  }
  const parsed = stdioSchema.safeParse(entry);
  if (!parsed.success) return issuesOf(parsed.error, source, field);
  const { command, args, env, cwd } = parsed.data;
  return { name, origin, source, transport: { kind: 'stdio', command, args, env, ...(cwd !== undefined ? { cwd } : {}) } };
}

/** Every server of one `name → definition` map (a file's `servers`, the setting's value). */
export function parseServerMap(raw: unknown, source: string, origin: McpOrigin, prefix: string): ParsedMcpConfig {
  if (raw === undefined) return { servers: [], problems: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { servers: [], problems: [{ source, field: prefix, message: 'must be an object mapping server names to their definitions' }] };
  const servers: McpServerDefinition[] = [];
  const problems: McpConfigProblem[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    const parsed = parseServer(name, entry, source, origin, prefix);
    if (Array.isArray(parsed)) problems.push(...parsed);
    else servers.push(parsed);
  }
  return { servers, problems };
}

/** A whole file's text in `format`; a file that is not JSON is one problem, and no servers. */
export function parseMcpConfigFile(text: string, source: string, format: McpConfigFormat, origin: McpOrigin): ParsedMcpConfig {
  let raw: unknown;
  try {
    raw = parseJsonc(text);
  } catch (error) {
    return { servers: [], problems: [{ source, field: '(file)', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { servers: [], problems: [{ source, field: '(file)', message: 'must be a JSON object' }] };
  const key = topLevelKey[format];
  const servers = (raw as Record<string, unknown>)[key];
  if (servers === undefined) return { servers: [], problems: [{ source, field: key, message: `missing: the servers go under "${key}"` }] };
  return parseServerMap(servers, source, origin, key);
}

/**
 * All sources together, in order of precedence (the user's own first): a later definition with a
 * name already taken is dropped with a problem, so a workspace can never replace a user's server.
 */
export function mergeMcpConfigs(configs: readonly ParsedMcpConfig[]): ParsedMcpConfig {
  const byName = new Map<string, McpServerDefinition>();
  const problems: McpConfigProblem[] = [];
  for (const config of configs) {
    problems.push(...config.problems);
    for (const server of config.servers) {
      const taken = byName.get(server.name);
      if (taken !== undefined) {
        problems.push({ source: server.source, field: server.name, message: `a server named "${server.name}" is already defined in ${taken.source}, which takes precedence; this one is ignored` });
        continue;
      }
      byName.set(server.name, server);
    }
  }
  return { servers: [...byName.values()], problems };
}

export function formatProblem(problem: McpConfigProblem): string {
  return `${problem.source}: ${problem.field}: ${problem.message}`;
}
