import type { RawConnection, WireDisposable } from '../../../src/protocol/wire';

/** A cancellation token the test controls, in the shape VS Code's `CancellationToken` has. */
export interface TestToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): unknown };
}

export function testToken(): TestToken & { cancel(): void } {
  const listeners = new Set<() => void>();
  let cancelled = false;
  return {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    cancel() {
      cancelled = true;
      for (const listener of listeners) listener();
    },
  };
}

/**
 * One end of an in-memory JSON-RPC link: what it sends reaches the other end's handlers as JSON (so
 * `undefined` fields vanish as on the wire), and `sent` records every outgoing message, raw.
 */
export interface TestEnd<Token> extends RawConnection<Token> {
  readonly sent: { kind: 'request' | 'notification'; method: string; params: unknown }[];
  /** Sends without any typed wire: what a buggy or hostile peer would put on the line. */
  sendRaw(method: string, params: unknown): Promise<unknown>;
}

/** Two connected raw ends, for testing the typed wire of each side without processes. */
export function rawPair<Token>(token: () => Token): [TestEnd<Token>, TestEnd<Token>] {
  const requestHandlers = [new Map<string, (params: unknown, token: Token) => Promise<unknown>>(), new Map<string, (params: unknown, token: Token) => Promise<unknown>>()];
  const notificationHandlers = [new Map<string, (params: unknown) => void>(), new Map<string, (params: unknown) => void>()];
  const wireCopy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  const end = (self: 0 | 1): TestEnd<Token> => {
    const other = self === 0 ? 1 : 0;
    const sent: TestEnd<Token>['sent'] = [];
    const deliver = async (method: string, params: unknown, given?: Token): Promise<unknown> => {
      const handler = requestHandlers[other]?.get(method);
      if (handler === undefined) throw new Error(`Unhandled method ${method}`);
      return wireCopy(await handler(wireCopy(params), given ?? token()));
    };
    const registered = <T>(map: Map<string, T> | undefined, method: string, handler: T): WireDisposable => {
      map?.set(method, handler);
      return { dispose: () => map?.delete(method) };
    };
    return {
      sent,
      sendRequest(method, params, given) {
        sent.push({ kind: 'request', method, params });
        return deliver(method, params, given);
      },
      sendRaw: (method, params) => deliver(method, params),
      sendNotification(method, params) {
        sent.push({ kind: 'notification', method, params });
        notificationHandlers[other]?.get(method)?.(wireCopy(params));
        return Promise.resolve();
      },
      onRequest: (method, handler) => registered(requestHandlers[self], method, handler),
      onNotification: (method, handler) => registered(notificationHandlers[self], method, handler),
    };
  };
  return [end(0), end(1)];
}
