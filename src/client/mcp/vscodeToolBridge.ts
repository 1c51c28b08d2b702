import * as vscode from 'vscode';
import { maxVsCodeToolResultChars, type VsCodeToolInfo, type VsCodeToolInvokeResult } from '../../protocol/mcp';
import { vscodeToolInvokeRequest, vscodeToolsListRequest } from '../../protocol/methods';
import type { AgentServerController } from '../agentServer/serverController';

/**
 * The tools of the MCP servers VS Code itself runs, for the agent server's runs (the engine's side:
 * src/agent/mcp/vscodeTools.ts). VS Code tags its MCP servers' tools `mcp`; those alone are listed,
 * never Plumbline's own `plumbline_*` nor other extensions' tools (Copilot's file editors would
 * write outside Plumbline's review). A call names a tool this filter lists, or it is refused.
 */

/** Which of `vscode.lm.tools` are bridged (the engine checks the same again). */
export function isBridgedTool(tool: Pick<vscode.LanguageModelToolInformation, 'name' | 'tags'>): boolean {
  return tool.tags.includes('mcp') && !tool.name.startsWith('plumbline_');
}

export function listBridgedTools(tools: readonly vscode.LanguageModelToolInformation[] = vscode.lm.tools): VsCodeToolInfo[] {
  return tools
    .filter(isBridgedTool)
    .slice(0, 500)
    .map((tool) => ({
      name: tool.name.slice(0, 200),
      description: tool.description.slice(0, 4000),
      ...(isRecord(tool.inputSchema) ? { inputSchema: tool.inputSchema } : {}),
      tags: tool.tags.slice(0, 50).map((tag) => tag.slice(0, 100)),
    }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A tool result's parts as text: text as it is, anything else named (never inlined). */
export function resultText(result: vscode.LanguageModelToolResult): string {
  const text = result.content
    .map((part) => {
      if (part instanceof vscode.LanguageModelTextPart) return part.value;
      if (part instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(part.value);
      return '[a part that is not text, not shown]';
    })
    .join('\n');
  return text.length > maxVsCodeToolResultChars ? text.slice(0, maxVsCodeToolResultChars) : text;
}

async function invokeBridgedTool(name: string, input: Record<string, unknown>, token: vscode.CancellationToken): Promise<VsCodeToolInvokeResult> {
  if (!vscode.lm.tools.some((tool) => tool.name === name && isBridgedTool(tool))) {
    return { isError: true, text: `"${name}" is not a tool of an MCP server VS Code runs (any more): it was not called.` };
  }
  try {
    // No chat request to attach to: VS Code asks its own confirmation, if any, outside a chat.
    const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token);
    return { isError: false, text: resultText(result) };
  } catch (error) {
    if (token.isCancellationRequested) throw error;
    return { isError: true, text: (error instanceof Error ? error.message : String(error)).slice(0, 4000) };
  }
}

/** Answers the server's `plumbline/vscodeTools/*` requests for as long as the extension runs. */
export function registerVsCodeToolBridge(server: AgentServerController): vscode.Disposable {
  return vscode.Disposable.from(
    server.onRequest(vscodeToolsListRequest, () => ({ tools: listBridgedTools() })),
    server.onRequest(vscodeToolInvokeRequest, (params, token) => invokeBridgedTool(params.name, params.input, token)),
  );
}
