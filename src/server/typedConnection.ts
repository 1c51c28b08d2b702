import {
  CancellationTokenSource,
  ParameterStructures,
  RequestType,
  ResponseError,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import { createWire, WireError, type RawConnection, type Wire } from '../protocol/wire';

/**
 * The server's typed wire: it handles client → server requests and notifications and sends
 * server → client ones, validated both ways (`protocol/wire.ts`). Cancellation is an `AbortSignal`
 * on this side, converted from and to LSP's `CancellationToken` here, at the edge.
 */
export type ServerWire = Wire<'server', AbortSignal>;

export function serverWire(connection: Connection): ServerWire {
  return createWire<'server', AbortSignal>(rawConnection(connection), { warn: (message) => connection.console.warn(message) });
}

function rawConnection(connection: Connection): RawConnection<AbortSignal> {
  return {
    async sendRequest(method, params, signal) {
      if (signal === undefined) return connection.sendRequest(method, params);
      const cancellation = new CancellationTokenSource();
      const onAbort = (): void => cancellation.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await connection.sendRequest(method, params, cancellation.token);
      } finally {
        signal.removeEventListener('abort', onAbort);
        cancellation.dispose();
      }
    },
    sendNotification: (method, params) => connection.sendNotification(method, params),
    onRequest(method, handler) {
      // byName: params arrive as one object whatever the sender did, so the token is always the second argument.
      const type = new RequestType<unknown, unknown, unknown>(method, ParameterStructures.byName);
      return connection.onRequest(type, async (params: unknown, token: CancellationToken) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await handler(params, controller.signal);
        } catch (error) {
          throw error instanceof WireError ? new ResponseError(error.code, error.message) : error;
        } finally {
          subscription.dispose();
        }
      });
    },
    onNotification: (method, handler) => connection.onNotification(method, (params: unknown) => handler(params)),
  };
}
