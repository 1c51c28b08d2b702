import * as z from 'zod';
import {
  hostToWebviewSchema,
  type HostToWebview,
  type ServerView,
  type WebviewRequestMethod,
  type WebviewToHost,
} from '../protocol/webviewMessages';
import { renderServerStatus } from './serverStatusView';
import { host } from './vscodeApi';

/** View state kept by VS Code across hide/show and reloads; validated because it comes back from storage. */
const viewStateSchema = z.object({ draft: z.string().default('') }).catch({ draft: '' });
type ViewState = z.infer<typeof viewStateSchema>;

let viewState: ViewState = viewStateSchema.parse(host.getState() ?? {});
let pendingServer: ServerView | undefined;
let frameRequested = false;
let nextRequestId = 1;

function send(message: WebviewToHost): void {
  host.postMessage(message);
}

function request(method: WebviewRequestMethod): void {
  send({ type: 'request', id: nextRequestId++, method });
}

/** Coalesces updates into one render per animation frame, however fast they arrive. */
function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const server = pendingServer;
    const root = document.getElementById('server');
    if (server !== undefined && root !== null) renderServerStatus(root, server);
  });
}

function onHostMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'snapshot':
      pendingServer = message.state.server;
      scheduleRender();
      break;
    case 'server/state':
      pendingServer = message.server;
      scheduleRender();
      break;
    case 'response':
      if (!message.ok) {
        const note = document.getElementById('server-message');
        if (note !== null) {
          note.textContent = message.error ?? 'The request failed.';
          note.hidden = false;
        }
      }
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = hostToWebviewSchema.safeParse(event.data);
  // Anything that does not match the protocol is dropped: this page trusts no message blindly.
  if (parsed.success) onHostMessage(parsed.data);
});

const input = document.getElementById('task-input');
if (input instanceof HTMLTextAreaElement) {
  input.value = viewState.draft;
  input.addEventListener('input', () => {
    viewState = { ...viewState, draft: input.value };
    host.setState(viewState);
  });
}
document.getElementById('task-form')?.addEventListener('submit', (event) => event.preventDefault());
document.getElementById('restart')?.addEventListener('click', () => request('server/restart'));
document.getElementById('show-log')?.addEventListener('click', () => request('log/show'));

send({ type: 'ready' });
