import * as vscode from 'vscode';
import { hostToWebviewSchema, webviewToHostSchema, type HostToWebview, type WebviewRequestMethod } from '../protocol/webviewMessages';
import type { AgentServerController } from './serverController';
import { createNonce } from './nonce';
import { renderSidebarHtml } from './sidebarHtml';

/** What the sidebar's buttons do; each is also a registered command. */
export interface SidebarActions {
  restartServer(): Promise<void>;
  showLog(): void;
}

/**
 * The Plumbline sidebar: a webview view that renders the agent server's state and, later, the chat
 * and the live plan. The webview is recreated when hidden, so the host re-sends a full snapshot on
 * every `ready`; the webview keeps only view state (the draft) itself.
 */
export class SidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'plumbline.sidebar';

  private view: vscode.WebviewView | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];
  private readonly handshake = new vscode.EventEmitter<void>();
  private readonly serverSubscription: vscode.Disposable;
  private handshakeCount = 0;

  /** Fires each time a webview instance completes `ready` → snapshot. */
  readonly onDidHandshake = this.handshake.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: AgentServerController,
    private readonly actions: SidebarActions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.serverSubscription = server.onDidChange((view) => this.post({ type: 'server/state', server: view }));
  }

  get handshakes(): number {
    return this.handshakeCount;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const mediaRoot = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot, mediaRoot] };
    view.webview.html = renderSidebarHtml({
      cspSource: view.webview.cspSource,
      nonce: createNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'sidebar.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'sidebar.css')).toString(),
      codiconUri: view.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'codicon.css')).toString(),
    });
    this.viewSubscriptions = [
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.disposeView();
      }),
    ];
  }

  dispose(): void {
    this.disposeView();
    this.serverSubscription.dispose();
    this.handshake.dispose();
  }

  private receive(raw: unknown): void {
    const parsed = webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`Ignored a malformed message from the sidebar: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      void this.post({ type: 'snapshot', state: { server: this.server.view } }).then((delivered) => {
        if (!delivered) return;
        this.handshakeCount += 1;
        this.handshake.fire();
      });
      return;
    }
    void this.run(message.method).then(
      () => this.post({ type: 'response', id: message.id, ok: true }),
      (error: unknown) =>
        this.post({ type: 'response', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  }

  private async run(method: WebviewRequestMethod): Promise<void> {
    switch (method) {
      case 'server/restart':
        return this.actions.restartServer();
      case 'log/show':
        this.actions.showLog();
        return;
    }
  }

  private async post(message: HostToWebview): Promise<boolean> {
    if (this.view === undefined) return false;
    // Validate outgoing too: a schema drift between host and webview should fail here, loudly.
    return this.view.webview.postMessage(hostToWebviewSchema.parse(message));
  }

  private disposeView(): void {
    for (const subscription of this.viewSubscriptions) subscription.dispose();
    this.viewSubscriptions = [];
    this.view = undefined;
  }
}
