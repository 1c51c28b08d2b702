import * as vscode from 'vscode';
import { ErrorCodes, ResponseError } from 'vscode-languageclient/node';
import type * as z from 'zod';
import type { lmChatResultSchema, BridgedModelEvent, LmChatParams } from '../../protocol/modelWire';
import { toVsCodeMessages, toVsCodeTools } from './lmMessages';

type LmChatResult = z.infer<typeof lmChatResultSchema>;
type ErrorKind = 'not_found' | 'auth' | 'rate_limited' | 'invalid_request' | 'server_error';

/** An error the server maps to a `ModelError` of the same kind. */
function bridgeError(kind: ErrorKind, message: string): ResponseError<{ kind: ErrorKind }> {
  return new ResponseError(ErrorCodes.InternalError, message, { kind });
}

/** Finds the model a setting names (by id, then family), or the first one VS Code offers. */
export async function pickModel(name: string): Promise<vscode.LanguageModelChat> {
  const byId = name === '' ? await vscode.lm.selectChatModels() : await vscode.lm.selectChatModels({ id: name });
  const found = byId[0] ?? (name === '' ? undefined : (await vscode.lm.selectChatModels({ family: name }))[0]);
  if (found !== undefined) return found;
  throw bridgeError(
    'not_found',
    name === ''
      ? 'No language model is available in VS Code. Install and sign in to an extension that provides one (GitHub Copilot Chat, for example), or choose openai or anthropic in the Plumbline settings.'
      : `VS Code offers no language model with the id or family "${name}". Check the plumbline.orchestrator.model and plumbline.worker.model settings.`,
  );
}

function translateError(error: unknown): ResponseError<{ kind: ErrorKind }> {
  if (error instanceof ResponseError) return error as ResponseError<{ kind: ErrorKind }>;
  if (error instanceof vscode.LanguageModelError) {
    if (error.code === vscode.LanguageModelError.NoPermissions().code) {
      return bridgeError('auth', 'Plumbline may not use this language model yet: allow it when VS Code asks, or in the Accounts menu under language model access.');
    }
    if (error.code === vscode.LanguageModelError.Blocked().code) return bridgeError('rate_limited', `The language model refused the request for now: ${error.message}`);
    if (error.code === vscode.LanguageModelError.NotFound().code) return bridgeError('not_found', `The language model is gone: ${error.message}`);
    return bridgeError('server_error', error.message);
  }
  return bridgeError('server_error', error instanceof Error ? error.message : String(error));
}

/**
 * Runs one `plumbline/lm/chat` request on a VS Code language model, streaming its parts through
 * `emit`. Resolves with the model's identity after the last event; rejects with a typed error.
 */
export async function runLmChat(
  params: LmChatParams,
  token: vscode.CancellationToken,
  emit: (requestId: string, event: BridgedModelEvent) => Promise<void>,
  choose: (name: string) => Promise<vscode.LanguageModelChat> = pickModel,
): Promise<LmChatResult> {
  try {
    const model = await choose(params.model);
    const tools = toVsCodeTools(params);
    const response = await model.sendRequest(
      toVsCodeMessages(params),
      {
        justification: 'Plumbline uses this model to plan and carry out the task you started.',
        ...(tools.length > 0 ? { tools, toolMode: vscode.LanguageModelChatToolMode.Auto } : {}),
      },
      token,
    );
    let calls = 0;
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) {
        await emit(params.requestId, { type: 'text', delta: part.value });
      } else if (part instanceof vscode.LanguageModelToolCallPart) {
        calls += 1;
        await emit(params.requestId, { type: 'tool_call', call: { type: 'tool_call', id: part.callId, name: part.name, rawArguments: JSON.stringify(part.input) } });
      }
    }
    // vscode.lm reports no token usage; the engine records these calls as unpriced.
    await emit(params.requestId, { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } });
    await emit(params.requestId, { type: 'stop', reason: calls > 0 ? 'tool_use' : 'end_turn' });
    return { model: { id: model.id, vendor: model.vendor, family: model.family, name: model.name } };
  } catch (error) {
    throw translateError(error);
  }
}
