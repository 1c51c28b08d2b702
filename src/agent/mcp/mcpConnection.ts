import * as z from 'zod';
import type { McpServerDefinition } from './mcpConfig';
import type { McpLaunch } from './mcpLaunch';
import { renderToolContent } from './mcpResults';
import { resolveHttp } from './mcpVariables';

/**
 * One live connection to an MCP server through the official SDK, loaded on first use: what the
 * server offers (tools, resources), calling a tool, reading a resource, and closing. The process
 * of a stdio server is started as `launch` says (inside the sandbox where there is one).
 */

export interface McpToolInfo {
  /** The server's own name for it. */
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  /** The server says it changes nothing (`annotations.readOnlyHint: true`); anything else may write. */
  readonly readOnly: boolean;
}

export interface McpResourceInfo {
  readonly uri: string;
  readonly name: string;
  readonly description?: string;
  readonly mimeType?: string;
}

export interface McpCallOutcome {
  readonly isError: boolean;
  readonly text: string;
}

export interface McpConnection {
  readonly tools: readonly McpToolInfo[];
  readonly resources: readonly McpResourceInfo[];
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallOutcome>;
  /** A resource's text (binary parts named, not inlined). */
  readResource(uri: string, signal: AbortSignal): Promise<string>;
  /** What the server process wrote to stderr lately, for error messages. */
  stderrTail(): string;
  close(): Promise<void>;
}

export const connectTimeoutMs = 30_000;
export const callTimeoutMs = 120_000;
const maxTools = 200;
const maxResources = 500;

const objectSchema = z.record(z.string(), z.unknown());
const resourceContents = z.array(z.looseObject({ uri: z.string(), text: z.string().optional(), blob: z.string().optional(), mimeType: z.string().optional() }));

/** Loaded once, the first time a server is connected (its own bundle: see mcpSdk.ts). */
let sdk: Promise<typeof import('./mcpSdk')> | undefined;
function loadSdk(): Promise<typeof import('./mcpSdk')> {
  sdk ??= import('./mcpSdk');
  return sdk;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${String(Math.round(ms / 1000))} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Connects to `server`: for stdio through `launch` (the program to spawn, already confined), for
 * HTTP to its address with its headers. Rejects with what went wrong, stderr included.
 */
export async function connectMcpServer(server: McpServerDefinition, launch: McpLaunch | undefined, env: NodeJS.ProcessEnv, root: string): Promise<McpConnection> {
  const { Client, StdioClientTransport, StreamableHTTPClientTransport } = await loadSdk();
  const client = new Client({ name: 'plumbline', version: '1' }, { capabilities: {} });
  let stderr = '';
  let release: (() => Promise<void>) | undefined;
  if (server.transport.kind === 'stdio') {
    if (launch === undefined) throw new Error('a stdio server needs a launch');
    release = () => launch.release();
    const transport = new StdioClientTransport({ command: launch.file, args: [...launch.args], env: { ...launch.env }, cwd: launch.cwd, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk.toString('utf8')}`.slice(-2000);
    });
    try {
      await withTimeout(client.connect(transport), connectTimeoutMs, `The MCP server "${server.name}"`);
    } catch (error) {
      await client.close().catch(() => undefined);
      await release();
      const said = stderr.trim() !== '' ? ` Its last output: ${stderr.trim().slice(-600)}` : '';
      throw new Error(`${error instanceof Error ? error.message : String(error)}.${said}`);
    }
  } else {
    const resolved = resolveHttp(server, env, root);
    if (resolved instanceof Error) throw resolved;
    const transport = new StreamableHTTPClientTransport(new URL(resolved.url), { requestInit: { headers: resolved.headers } });
    await withTimeout(client.connect(transport), connectTimeoutMs, `The MCP server "${server.name}" at ${resolved.url}`);
  }
  const capabilities = client.getServerCapabilities() ?? {};
  const tools: McpToolInfo[] = [];
  if (capabilities.tools !== undefined) {
    let cursor: string | undefined;
    do {
      const page = await withTimeout(client.listTools(cursor !== undefined ? { cursor } : {}), connectTimeoutMs, `The MCP server "${server.name}"'s tool list`);
      for (const tool of page.tools) {
        if (tools.length >= maxTools) break;
        tools.push({ name: tool.name, description: (tool.description ?? tool.title ?? '').slice(0, 2000), inputSchema: objectSchema.parse(tool.inputSchema), readOnly: tool.annotations?.readOnlyHint === true });
      }
      cursor = tools.length < maxTools ? page.nextCursor : undefined;
    } while (cursor !== undefined);
  }
  const resources: McpResourceInfo[] = [];
  if (capabilities.resources !== undefined) {
    const page = await withTimeout(client.listResources(), connectTimeoutMs, `The MCP server "${server.name}"'s resource list`).catch(() => ({ resources: [] }));
    for (const resource of page.resources.slice(0, maxResources)) {
      resources.push({ uri: resource.uri, name: resource.name, ...(resource.description !== undefined ? { description: resource.description.slice(0, 300) } : {}), ...(resource.mimeType !== undefined ? { mimeType: resource.mimeType } : {}) });
    }
  }
  return {
    tools,
    resources,
    async callTool(name, args, signal) {
      const result = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: callTimeoutMs });
      const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
      return { isError: result.isError === true, text: renderToolContent(content, result.structuredContent) };
    },
    async readResource(uri, signal) {
      const result = await client.readResource({ uri }, { signal, timeout: callTimeoutMs });
      return resourceContents
        .parse(result.contents)
        .map((part) => (part.text !== undefined ? part.text : `[${part.uri} ${part.mimeType ?? ''}: binary, not shown]`))
        .join('\n');
    },
    stderrTail: () => stderr,
    async close() {
      await client.close().catch(() => undefined);
      await release?.();
    },
  };
}
