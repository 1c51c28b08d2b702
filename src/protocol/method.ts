import type * as z from 'zod';

/**
 * Which side sends a message. Custom `plumbline/*` methods are one-directional by design, and the
 * direction is part of the method's type: the typed wire (`wire.ts`) of each side accepts only
 * the methods that side sends in `request`/`notify` and only those it receives in
 * `onRequest`/`onNotification`, so a handler registered on the wrong side does not compile
 * (`test/unit/wireDirection.typecheck.ts` proves it).
 */
export type Direction = 'clientToServer' | 'serverToClient';

/** The two ends of the wire: the agent server, and any client of it (VS Code, the CLI). */
export type Side = 'client' | 'server';

/** The direction of the messages `side` sends. */
export type Outgoing<S extends Side> = S extends 'server' ? 'serverToClient' : 'clientToServer';

/** The direction of the messages `side` receives. */
export type Incoming<S extends Side> = S extends 'server' ? 'clientToServer' : 'serverToClient';

/** A JSON-RPC request whose params and result cross the process boundary and are validated with zod. */
export interface RequestMethod<P extends z.ZodType, R extends z.ZodType, D extends Direction = Direction> {
  readonly kind: 'request';
  readonly method: string;
  readonly direction: D;
  readonly params: P;
  readonly result: R;
  /**
   * What a malformed question or a malformed answer means, for the questions put to the user:
   * always the refusal (cancel the plan, deny the command, cancel the run, accept nothing). The
   * receiver answers it instead of asking; the sender takes it instead of the malformed answer.
   * Without it, malformed params are answered with `InvalidParams` and a malformed result rejects.
   */
  readonly whenMalformed?: z.output<R>;
}

/** A JSON-RPC notification: params only, no answer. */
export interface NotificationMethod<P extends z.ZodType, D extends Direction = Direction> {
  readonly kind: 'notification';
  readonly method: string;
  readonly direction: D;
  readonly params: P;
}

export function defineRequest<P extends z.ZodType, R extends z.ZodType, D extends Direction>(
  method: string,
  direction: D,
  params: P,
  result: R,
  options: { readonly whenMalformed?: z.output<R> } = {},
): RequestMethod<P, R, D> {
  return { kind: 'request', method, direction, params, result, ...(options.whenMalformed !== undefined ? { whenMalformed: options.whenMalformed } : {}) };
}

export function defineNotification<P extends z.ZodType, D extends Direction>(method: string, direction: D, params: P): NotificationMethod<P, D> {
  return { kind: 'notification', method, direction, params };
}

/** Formats a zod failure as one readable line naming the method and the offending fields. */
export function describeValidationError(method: string, error: z.ZodError): string {
  const issues = error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return `Invalid data for ${method}: ${issues}`;
}
