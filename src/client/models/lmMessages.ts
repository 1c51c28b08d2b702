import * as vscode from 'vscode';
import type { LmChatParams } from '../../protocol/modelWire';

/**
 * Translates the engine's neutral conversation into `vscode.lm` messages. VS Code 1.100 has no
 * system role for language models, so the system prompt and stable context open the first user
 * message, which keeps them first and unchanged on every request.
 */
export function toVsCodeMessages(params: LmChatParams): vscode.LanguageModelChatMessage[] {
  const preamble = [params.system, params.stableContext ?? ''].filter((text) => text !== '').join('\n\n');
  const out: vscode.LanguageModelChatMessage[] = [vscode.LanguageModelChatMessage.User(preamble)];
  for (const message of params.messages) {
    if (message.role === 'assistant') {
      const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
      for (const part of message.content) {
        if (part.type === 'text') parts.push(new vscode.LanguageModelTextPart(part.text));
        else if (part.type === 'tool_call') parts.push(new vscode.LanguageModelToolCallPart(part.id, part.name, parseObject(part.rawArguments)));
      }
      out.push(vscode.LanguageModelChatMessage.Assistant(parts));
    } else {
      const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart)[] = message.content.map((part) =>
        part.type === 'text'
          ? new vscode.LanguageModelTextPart(part.text)
          : new vscode.LanguageModelToolResultPart(part.toolCallId, [new vscode.LanguageModelTextPart(part.isError ? `Error: ${part.content}` : part.content)]),
      );
      out.push(vscode.LanguageModelChatMessage.User(parts));
    }
  }
  return out;
}

export function toVsCodeTools(params: LmChatParams): vscode.LanguageModelChatTool[] {
  return params.tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
}

function parseObject(raw: string): object {
  try {
    const value: unknown = JSON.parse(raw === '' ? '{}' : raw);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}
