import {
  ErrorCodes,
  ParameterStructures,
  RequestType,
  ResponseError,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import type * as z from 'zod';
import { describeValidationError, type RequestMethod } from '../protocol/method';

/**
 * Registers a handler for a custom client → server request. Params are validated before the handler
 * runs and the result after, so neither a buggy client nor a buggy handler can put malformed data
 * on the wire; a bad request is answered with `InvalidParams` and a message naming the fields.
 */
export function handleRequest<P extends z.ZodType, R extends z.ZodType>(
  connection: Connection,
  descriptor: RequestMethod<P, R>,
  handler: (params: z.infer<P>, signal: AbortSignal) => Promise<z.infer<R>> | z.infer<R>,
): void {
  // byName: params arrive as one object whatever the sender did, so the token is always the second argument.
  const type = new RequestType<unknown, unknown, unknown>(descriptor.method, ParameterStructures.byName);
  connection.onRequest(type, async (raw: unknown, token: CancellationToken) => {
    const parsed = descriptor.params.safeParse(raw ?? {});
    if (!parsed.success) {
      throw new ResponseError(ErrorCodes.InvalidParams, describeValidationError(descriptor.method, parsed.error));
    }
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      const result = await handler(parsed.data, controller.signal);
      const checked = descriptor.result.safeParse(result);
      if (!checked.success) {
        throw new ResponseError(ErrorCodes.InternalError, describeValidationError(descriptor.method, checked.error));
      }
      return checked.data;
    } finally {
      subscription.dispose();
    }
  });
}
