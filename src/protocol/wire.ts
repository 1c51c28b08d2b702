import type * as z from 'zod';
import { describeValidationError, type Incoming, type NotificationMethod, type Outgoing, type RequestMethod, type Side } from './method';

/**
 * The typed wire: one set of `request` / `notify` / `onRequest` / `onNotification` helpers that the
 * server, the VS Code client and the CLI all use over their own JSON-RPC connection. Every message
 * is validated with the method's zod schemas in both directions, and the rules are the same on
 * every side:
 *
 * - params that do not match are never handed to a handler: a question put to the user (a method
 *   with `whenMalformed`) is answered with its refusal (cancel, deny, nothing accepted), any other
 *   request with `InvalidParams`; a malformed notification is dropped;
 * - a handler's answer that does not match is replaced by the refusal, or answered as `InternalError`;
 * - a malformed answer to a request is the refusal, or rejects the request;
 * - a handler that throws answers an error (a `ResponseError` it throws keeps its code);
 * - the offending fields are always logged (`describeValidationError`).
 *
 * Each side's half is a `RawConnection` adapter over its concrete connection (vscode-languageserver's
 * `Connection`, vscode-languageclient's `LanguageClient`, the CLI's `MessageConnection`); the
 * direction of every method is checked by the types (`Wire<'server', …>` handles only client → server
 * requests and sends only server → client ones).
 */

/** JSON-RPC error codes the wire answers with. */
export const wireErrorCodes = { invalidParams: -32602, internalError: -32603 } as const;

/**
 * A failure the wire answers with a JSON-RPC error of this code. Each side's adapter turns it into
 * its transport's `ResponseError` (protocol/ imports no transport).
 */
export class WireError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export interface WireDisposable {
  dispose(): unknown;
}

/** The untyped connection under a wire: string method names, unknown payloads, the side's own cancellation token. */
export interface RawConnection<Token> {
  sendRequest(method: string, params: unknown, token?: Token): Promise<unknown>;
  sendNotification(method: string, params: unknown): Promise<void>;
  /** The adapter answers a `WireError` thrown by `handler` with a JSON-RPC error of its code. */
  onRequest(method: string, handler: (params: unknown, token: Token) => Promise<unknown>): WireDisposable;
  onNotification(method: string, handler: (params: unknown) => void): WireDisposable;
}

/** Where the wire reports malformed messages (the fields at fault and what it did instead). */
export interface WireLog {
  warn(message: string): void;
}

export type RequestHandler<P extends z.ZodType, R extends z.ZodType, Token> = (params: z.output<P>, token: Token) => Promise<z.input<R>> | z.input<R>;

/** The typed helpers of one side: it sends the `Outgoing<S>` methods and handles the `Incoming<S>` ones. */
export interface Wire<S extends Side, Token> {
  /** Sends a request after checking its params; resolves with the validated answer (or the method's refusal). */
  request<P extends z.ZodType, R extends z.ZodType>(method: RequestMethod<P, R, Outgoing<S>>, params: z.input<P>, token?: Token): Promise<z.output<R>>;
  /** Sends a notification after checking its params; a malformed one is logged and not sent. */
  notify<P extends z.ZodType>(method: NotificationMethod<P, Outgoing<S>>, params: z.input<P>): Promise<void>;
  /** Handles a request with validated params; its answer is validated before it is sent. */
  onRequest<P extends z.ZodType, R extends z.ZodType>(method: RequestMethod<P, R, Incoming<S>>, handler: NoInfer<RequestHandler<P, R, Token>>): WireDisposable;
  /** Handles a notification with validated params; a malformed one is logged and dropped. */
  onNotification<P extends z.ZodType>(method: NotificationMethod<P, Incoming<S>>, handler: NoInfer<(params: z.output<P>) => void>): WireDisposable;
}

/** Builds a side's typed wire over its raw connection. */
export function createWire<S extends Side, Token>(raw: RawConnection<Token>, log: WireLog): Wire<S, Token> {
  /** The refusal of a method that has one, logged with what was wrong; undefined otherwise. */
  const refuse = <R extends z.ZodType>(method: RequestMethod<z.ZodType, R>, problem: string, what: string): { answer: z.output<R> } | undefined => {
    if (method.whenMalformed === undefined) return undefined;
    log.warn(`${problem} (${what}: answered ${JSON.stringify(method.whenMalformed)})`);
    return { answer: method.whenMalformed };
  };

  return {
    async request(method, params, token) {
      const outgoing = method.params.safeParse(params);
      if (!outgoing.success) {
        const problem = describeValidationError(method.method, outgoing.error);
        const refused = refuse(method, problem, 'a malformed question is not sent');
        if (refused !== undefined) return refused.answer;
        log.warn(`${problem} (not sent)`);
        throw new WireError(wireErrorCodes.invalidParams, problem);
      }
      const answer = await raw.sendRequest(method.method, params, token);
      const checked = method.result.safeParse(answer);
      if (checked.success) return checked.data;
      const problem = describeValidationError(method.method, checked.error);
      const refused = refuse(method, problem, 'a malformed answer');
      if (refused !== undefined) return refused.answer;
      log.warn(problem);
      throw new WireError(wireErrorCodes.internalError, problem);
    },

    async notify(method, params) {
      const checked = method.params.safeParse(params);
      if (!checked.success) {
        log.warn(`${describeValidationError(method.method, checked.error)} (not sent)`);
        return;
      }
      await raw.sendNotification(method.method, params);
    },

    onRequest(method, handler) {
      return raw.onRequest(method.method, async (incoming, token) => {
        // A sender that omits params (JSON-RPC allows it) means "no params", not "malformed".
        const params = method.params.safeParse(incoming ?? {});
        if (!params.success) {
          const problem = describeValidationError(method.method, params.error);
          const refused = refuse(method, problem, 'a malformed question is not asked');
          if (refused !== undefined) return refused.answer;
          log.warn(problem);
          throw new WireError(wireErrorCodes.invalidParams, problem);
        }
        const answer = await handler(params.data, token);
        const checked = method.result.safeParse(answer);
        if (checked.success) return checked.data;
        const problem = describeValidationError(method.method, checked.error);
        const refused = refuse(method, problem, 'a malformed answer is not sent');
        if (refused !== undefined) return refused.answer;
        log.warn(problem);
        throw new WireError(wireErrorCodes.internalError, problem);
      });
    },

    onNotification(method, handler) {
      return raw.onNotification(method.method, (incoming) => {
        const params = method.params.safeParse(incoming ?? {});
        if (params.success) handler(params.data);
        else log.warn(`${describeValidationError(method.method, params.error)} (ignored)`);
      });
    },
  };
}
