import type * as z from 'zod';

/**
 * Which side sends a message. Custom `plumbline/*` methods are one-directional by design, so a
 * handler registered on the wrong side is a bug the types catch.
 */
export type Direction = 'clientToServer' | 'serverToClient';

/** A JSON-RPC request whose params and result cross the process boundary and are validated with zod. */
export interface RequestMethod<P extends z.ZodType, R extends z.ZodType> {
  readonly kind: 'request';
  readonly method: string;
  readonly direction: Direction;
  readonly params: P;
  readonly result: R;
}

/** A JSON-RPC notification: params only, no answer. */
export interface NotificationMethod<P extends z.ZodType> {
  readonly kind: 'notification';
  readonly method: string;
  readonly direction: Direction;
  readonly params: P;
}

export function defineRequest<P extends z.ZodType, R extends z.ZodType>(
  method: string,
  direction: Direction,
  params: P,
  result: R,
): RequestMethod<P, R> {
  return { kind: 'request', method, direction, params, result };
}

export function defineNotification<P extends z.ZodType>(
  method: string,
  direction: Direction,
  params: P,
): NotificationMethod<P> {
  return { kind: 'notification', method, direction, params };
}

/** Formats a zod failure as one readable line naming the method and the offending fields. */
export function describeValidationError(method: string, error: z.ZodError): string {
  const issues = error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return `Invalid data for ${method}: ${issues}`;
}
