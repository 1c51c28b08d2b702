import { sandboxEnvironment } from '../sandbox/sandboxEnvironment';
import type { McpServerDefinition, McpTransport } from './mcpConfig';

/**
 * The variables a server definition may use, as VS Code and Claude Code write them:
 * `${workspaceFolder}`, `${env:NAME}` and `${NAME}` (from the agent server's environment). Plumbline's
 * own keys can never be referenced: a workspace's server would otherwise be handed the user's
 * provider key. `${input:…}` needs a prompt VS Code shows and Plumbline does not: it is an error
 * that says what to write instead.
 */

/** Never handed to an MCP server, whatever its definition says. */
export const providerKeyNames: ReadonlySet<string> = new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'AZURE_OPENAI_API_KEY', 'PLUMBLINE_SECRET_STORAGE_KEYS']);

const reference = /\$\{([^}]*)\}/g;

/** The `${…}` references in a definition's strings: part of what the user approves. */
export function referencedVariables(transport: McpTransport): string[] {
  const texts = transport.kind === 'stdio' ? [transport.command, ...transport.args, ...Object.values(transport.env), transport.cwd ?? ''] : [transport.url, ...Object.values(transport.headers)];
  return [...new Set(texts.flatMap((text) => [...text.matchAll(reference)].map((match) => match[1] ?? '')))].sort();
}

export function expandVariables(text: string, env: NodeJS.ProcessEnv, root: string): string | Error {
  let failure: Error | undefined;
  const expanded = text.replace(reference, (whole, inner: string) => {
    if (inner === 'workspaceFolder') return root;
    if (inner.startsWith('input:')) {
      failure ??= new Error(`${whole} asks VS Code to prompt for a value, which Plumbline cannot do: put the value in an environment variable and write \${env:NAME}`);
      return whole;
    }
    const name = inner.startsWith('env:') ? inner.slice(4) : inner;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      failure ??= new Error(`${whole} is not a variable Plumbline knows (\${workspaceFolder}, \${env:NAME} or \${NAME})`);
      return whole;
    }
    if (providerKeyNames.has(name.toUpperCase())) {
      failure ??= new Error(`${whole} would hand the server Plumbline's own provider key; MCP servers never get it`);
      return whole;
    }
    return env[name] ?? '';
  });
  return failure ?? expanded;
}

/** A stdio server's command, arguments, folder and environment with the variables filled in. */
export interface ResolvedStdio {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The scrubbed allowlist of every sandboxed command, plus only what the definition names. */
  readonly env: Readonly<Record<string, string>>;
}

export function resolveStdio(server: McpServerDefinition, env: NodeJS.ProcessEnv, root: string): ResolvedStdio | Error {
  const transport = server.transport;
  if (transport.kind !== 'stdio') return new Error(`${server.name} is not a stdio server`);
  const texts = [transport.command, ...transport.args, transport.cwd ?? root].map((text) => expandVariables(text, env, root));
  const failed = texts.find((text): text is Error => text instanceof Error);
  if (failed !== undefined) return failed;
  const [command = '', ...rest] = texts as string[];
  const cwd = rest.pop() ?? root;
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(transport.env)) {
    if (providerKeyNames.has(name.toUpperCase())) return new Error(`env.${name} is Plumbline's own provider key; MCP servers never get it`);
    const expanded = expandVariables(value, env, root);
    if (expanded instanceof Error) return new Error(`env.${name}: ${expanded.message}`);
    own[name] = expanded;
  }
  return { command, args: rest, cwd, env: { ...sandboxEnvironment(env).env, ...own } };
}

/** An HTTP server's address and headers with the variables filled in. */
export function resolveHttp(server: McpServerDefinition, env: NodeJS.ProcessEnv, root: string): { url: string; headers: Record<string, string> } | Error {
  const transport = server.transport;
  if (transport.kind !== 'http') return new Error(`${server.name} is not an HTTP server`);
  const url = expandVariables(transport.url, env, root);
  if (url instanceof Error) return new Error(`url: ${url.message}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(transport.headers)) {
    const expanded = expandVariables(value, env, root);
    if (expanded instanceof Error) return new Error(`headers.${name}: ${expanded.message}`);
    headers[name] = expanded;
  }
  return { url, headers };
}
