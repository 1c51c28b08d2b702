import type { VsCodeToolInfo } from '../../protocol/mcp';
import type { McpCallOutcome } from './mcpConnection';
import type { McpToolbox, McpToolEntry } from './mcpHub';
import { assignVsCodeToolNames } from './mcpNames';

/**
 * The tools of the MCP servers VS Code itself runs, reached through the client (`vscode.lm.tools`,
 * `vscode.lm.invokeTool`), joined to the run's toolbox under `vscode__<tool>`. They get the trust
 * of an MCP tool that is not read-only: VS Code's API does not say whether a tool changes things
 * (the server's `readOnlyHint` stays inside VS Code), so none is read-only. The orchestrator cannot
 * call them while planning, a step must name them in `tools`, every call is approved by the user
 * (`plumbline.mcp.allow` cannot list them), and results are wrapped and capped like an MCP
 * server's. Without a VS Code client (the CLI, ACP) there is no port, and none of this appears.
 */

/** What the engine needs of the client; the server implements it over the typed wire. */
export interface VsCodeToolPort {
  list(signal: AbortSignal): Promise<readonly VsCodeToolInfo[]>;
  invoke(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<McpCallOutcome>;
}

/** The `server` of a bridged tool's entry: what the transcript and the result's wrapper name. */
export const vscodeToolServer = 'vscode';

/**
 * Which of the client's tools are bridged: those VS Code tags `mcp` (its MCP servers' tools), never
 * Plumbline's own `plumbline_*` (a run calling a tool that starts a run). Checked by the client
 * before it lists and again here, so a client that lists more bridges no more.
 */
export function isBridgedVsCodeTool(tool: Pick<VsCodeToolInfo, 'name' | 'tags'>): boolean {
  return tool.tags.includes('mcp') && !tool.name.startsWith('plumbline_');
}

/** The bridged tools as toolbox entries, named `vscode__<tool>`, none read-only. */
export function vscodeToolEntries(tools: readonly VsCodeToolInfo[]): McpToolEntry[] {
  const bridged = tools.filter(isBridgedVsCodeTool);
  const byName = new Map(bridged.map((tool) => [tool.name, tool]));
  return [...assignVsCodeToolNames([...byName.keys()])].map(([modelName, name]) => {
    const tool = byName.get(name);
    return {
      modelName,
      server: vscodeToolServer,
      tool: name,
      description: `(a tool of an MCP server VS Code runs) ${tool?.description ?? ''}`.slice(0, 2000),
      inputSchema: tool?.inputSchema ?? { type: 'object' },
      readOnly: false,
    };
  });
}

/** The run's toolbox: the MCP servers' tools and resources, and VS Code's tools; undefined when there is neither. */
export function withVsCodeTools(mcp: McpToolbox | undefined, entries: readonly McpToolEntry[], port: VsCodeToolPort): McpToolbox | undefined {
  if (entries.length === 0) return mcp;
  const bridged = new Set(entries.map((entry) => entry.modelName));
  return {
    tools: [...(mcp?.tools ?? []), ...entries],
    resources: mcp?.resources ?? [],
    call: (entry, args, signal) => {
      if (entry.server === vscodeToolServer && bridged.has(entry.modelName)) return port.invoke(entry.tool, args, signal);
      if (mcp === undefined) return Promise.reject(new Error(`${entry.modelName} is not a tool of this run`));
      return mcp.call(entry, args, signal);
    },
    readResource: (server, uri, signal) => (mcp !== undefined ? mcp.readResource(server, uri, signal) : Promise.reject(new Error('this run has no MCP resources'))),
  };
}
