import { createHash } from 'node:crypto';

/**
 * The names a model calls MCP tools by: `mcp__<server>__<tool>`. Both providers take
 * `[A-Za-z0-9_-]`, at most 64 characters (OpenAI's limit, the tighter one), so every other character
 * becomes `_` and a long name is cut and given a short hash of the full one; two tools that would
 * still get the same name get distinct hash suffixes, so no call can reach the wrong tool.
 */

export const mcpToolPrefix = 'mcp__';
export const maxToolNameLength = 64;
const maxServerPart = 20;

function sanitize(part: string): string {
  const cleaned = part.replace(/[^A-Za-z0-9_-]/g, '_').replace(/_{3,}/g, '__');
  return cleaned === '' ? '_' : cleaned;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

function capped(name: string, identity: string): string {
  if (name.length <= maxToolNameLength) return name;
  const suffix = `_${shortHash(identity)}`;
  return `${name.slice(0, maxToolNameLength - suffix.length)}${suffix}`;
}

/** The model-facing name of one server's tool, before collisions are considered. */
export function mcpToolName(server: string, tool: string): string {
  // A long server name leaves room for the tool's, which is what tells two tools apart.
  return capped(`${mcpToolPrefix}${sanitize(server).slice(0, maxServerPart)}__${sanitize(tool)}`, `${server}\u0000${tool}`);
}

export interface NamedTool {
  readonly server: string;
  readonly tool: string;
}

/**
 * Names for every tool of every server, unique: a second tool that sanitises to a name already
 * given gets a hash of its real server and tool names appended (and is cut to fit).
 */
export function assignToolNames<T extends NamedTool>(tools: readonly T[]): Map<string, T> {
  const named = new Map<string, T>();
  for (const entry of tools) {
    let name = mcpToolName(entry.server, entry.tool);
    if (named.has(name)) {
      const suffix = `_${shortHash(`${entry.server}\u0000${entry.tool}`)}`;
      name = `${name.slice(0, maxToolNameLength - suffix.length)}${suffix}`;
      for (let counter = 2; named.has(name); counter++) name = `${name.slice(0, maxToolNameLength - String(counter).length - 1)}_${String(counter)}`;
    }
    named.set(name, entry);
  }
  return named;
}

/**
 * The prefix of VS Code's own MCP tools (`vscode.lm.tools`, bridged through the client):
 * `vscode__<tool>`. Not `mcp__`, so no name of a server Plumbline runs can take one of them.
 */
export const vscodeToolPrefix = 'vscode__';

/**
 * Model-facing names for VS Code's tools, unique among them: sanitised, capped at 64 with a hash of
 * the real name, and a tool that would still repeat a name gets a hash (then a counter) appended.
 */
export function assignVsCodeToolNames(tools: readonly string[]): Map<string, string> {
  const named = new Map<string, string>();
  for (const tool of tools) {
    let name = capped(`${vscodeToolPrefix}${sanitize(tool)}`, tool);
    if (named.has(name)) {
      const suffix = `_${shortHash(tool)}`;
      name = `${name.slice(0, maxToolNameLength - suffix.length)}${suffix}`;
      for (let counter = 2; named.has(name); counter++) name = `${name.slice(0, maxToolNameLength - String(counter).length - 1)}_${String(counter)}`;
    }
    named.set(name, tool);
  }
  return named;
}

/** A tool from outside Plumbline (an MCP server's, or VS Code's): its arguments and more of its result are shown. */
export function isMcpToolName(name: string): boolean {
  return name.startsWith(mcpToolPrefix) || name.startsWith(vscodeToolPrefix);
}
