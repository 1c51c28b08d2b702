import { randomUUID } from 'node:crypto';
import { CancellationTokenSource, ErrorCodes, LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { AsyncQueue } from '../agent/asyncQueue';
import { ModelError } from '../agent/model/modelErrors';
import type { ModelClient, ModelEvent, ModelRequest } from '../agent/model/modelTypes';
import type { ResolvedEndpoint } from '../agent/model/modelConfig';
import { lmChatRequest, lmEventNotification } from '../protocol/methods';
import { lmErrorDataSchema, type LmChatParams } from '../protocol/modelWire';

/**
 * The server's side of the VS Code language-model bridge: a `ModelClient` whose requests the
 * extension runs with `vscode.lm` and streams back as notifications.
 */
export class VsCodeLmBridge {
  private readonly streams = new Map<string, AsyncQueue<ModelEvent>>();

  constructor(private readonly connection: Connection) {
    connection.onNotification(lmEventNotification.method, (raw: unknown) => {
      const parsed = lmEventNotification.params.safeParse(raw);
      if (!parsed.success) {
        connection.console.warn('Ignored a malformed plumbline/lm/event notification.');
        return;
      }
      this.streams.get(parsed.data.requestId)?.push(parsed.data.event);
    });
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
    const cancellation = new CancellationTokenSource();
    const onAbort = (): void => cancellation.cancel();
    request.signal.addEventListener('abort', onAbort, { once: true });
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
    this.connection.sendRequest(lmChatRequest.method, params, cancellation.token).then(
      () => queue.end(),
      (error: unknown) => queue.fail(toModelError(error, request.signal)),
    );
    try {
      yield* queue;
    } finally {
      this.streams.delete(requestId);
      request.signal.removeEventListener('abort', onAbort);
      cancellation.dispose();
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
  return new ModelError('server_error', 'vscode-lm', error instanceof Error ? error.message : String(error));
}
