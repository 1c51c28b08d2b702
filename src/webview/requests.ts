import { webviewToHostSchema, type HostToWebview, type WebviewRequestBody } from '../protocol/webviewMessages';
import { host } from './vscodeApi';

type Response = Extract<HostToWebview, { type: 'response' }>;

let nextId = 1;
const pending = new Map<number, { resolve(): void; reject(error: Error): void }>();

export function sendReady(): void {
  host.postMessage(webviewToHostSchema.parse({ type: 'ready' }));
}

/**
 * Sends a request to the host and resolves with its response. The message is checked against the
 * protocol before it leaves (an empty task fails here, with the schema's words); the host checks
 * it again on arrival.
 */
export function request(body: WebviewRequestBody): Promise<void> {
  const id = nextId++;
  const message = webviewToHostSchema.safeParse({ ...body, type: 'request', id });
  if (!message.success) return Promise.reject(new Error(message.error.issues[0]?.message ?? 'invalid request'));
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    host.postMessage(message.data);
  });
}

/** Settles the request a response answers; responses to requests of an earlier page are ignored. */
export function settle(response: Response): void {
  const waiting = pending.get(response.id);
  if (waiting === undefined) return;
  pending.delete(response.id);
  if (response.ok) waiting.resolve();
  else waiting.reject(new Error(response.error ?? 'The request failed.'));
}
