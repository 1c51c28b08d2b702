import { randomUUID } from 'node:crypto';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { AsyncQueue } from '../agent/asyncQueue';
import { ModelError } from '../agent/model/modelErrors';
import type { ModelClient, ModelEvent, ModelRequest } from '../agent/model/modelTypes';
import type { ResolvedEndpoint } from '../agent/model/modelConfig';
import { lmChatRequest, lmEventNotification } from '../protocol/methods';
import { lmErrorDataSchema, type LmChatParams } from '../protocol/modelWire';
import { WireError, wireErrorCodes } from '../protocol/wire';
import type { ServerWire } from './typedConnection';

/**
 * The server's side of the VS Code language-model bridge: a `ModelClient` whose requests the
 * extension runs with `vscode.lm` and streams back as notifications.
 */
export class VsCodeLmBridge {
  private readonly streams = new Map<string, AsyncQueue<ModelEvent>>();

  constructor(private readonly wire: ServerWire) {
    // A malformed event is logged and dropped by the wire.
    wire.onNotification(lmEventNotification, ({ requestId, event }) => this.streams.get(requestId)?.push(event));
  }

  /** A `ModelClient` for one endpoint; pass it as the `vscodeModels` factory of `createModelClient`. */
  readonly clientFor = (endpoint: ResolvedEndpoint): ModelClient => ({
    provider: 'vscode-lm',
    model: endpoint.model,
    stream: (request) => this.stream(endpoint.model, request),
  });

  private async *stream(model: string, request: ModelRequest): AsyncIterable<ModelEvent> {
    const requestId = randomUUID();
    const queue = new AsyncQueue<ModelEvent>();
    this.streams.set(requestId, queue);
    const params: LmChatParams = {
      requestId,
      model,
      system: request.system,
      ...(request.stableContext !== undefined ? { stableContext: request.stableContext } : {}),
      messages: request.messages.map((message) => ({ ...message, content: [...message.content] })) as LmChatParams['messages'],
      tools: [...request.tools],
      maxOutputTokens: request.maxOutputTokens,
    };
    // Notifications and the response share one ordered channel: every event is queued before the end.
    this.wire.request(lmChatRequest, params, request.signal).then(
      () => queue.end(),
      (error: unknown) => queue.fail(toModelError(error, request.signal)),
    );
    try {
      yield* queue;
    } finally {
      this.streams.delete(requestId);
    }
  }
}

function toModelError(error: unknown, signal: AbortSignal): ModelError {
  if (signal.aborted || (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)) {
    return new ModelError('cancelled', 'vscode-lm', 'The request was cancelled.');
  }
  if (error instanceof ResponseError) {
    const data = lmErrorDataSchema.safeParse(error.data);
    const kind = data.success ? data.data.kind : error.code === ErrorCodes.InvalidParams ? 'invalid_request' : 'server_error';
    return new ModelError(kind, 'vscode-lm', error.message);
  }
  // Params this side could not send are a bug no retry fixes.
  if (error instanceof WireError) return new ModelError(error.code === wireErrorCodes.invalidParams ? 'invalid_request' : 'server_error', 'vscode-lm', error.message);
  return new ModelError('server_error', 'vscode-lm', error instanceof Error ? error.message : String(error));
}
