import * as vscode from 'vscode';
import { runsListRequest } from '../../protocol/methods';
import { onDidUndoRun } from '../runs/pastRuns';
import type { RunMeta } from '../../protocol/run';
import { hostToWebviewSchema, webviewToHostSchema, type HostToWebview, type WebviewRequest } from '../../protocol/webviewMessages';
import type { RunController } from '../runs/runController';
import type { TranscriptChange } from '../runs/runTranscript';
import type { SandboxStatusWatcher } from '../agentServer/sandboxStatus';
import type { AgentServerController } from '../agentServer/serverController';
import type { ModelReadiness } from '../models/modelReadiness';
import type { McpStatusWatcher } from '../mcp/mcpStatusWatcher';
import { createNonce } from './nonce';
import { renderSidebarHtml } from './sidebarHtml';
import { readSidebarSettings, toRunViewModel } from './sidebarModel';
import { SidebarOutbox } from './sidebarOutbox';
import { handleSidebarRequest, type SidebarActions } from './sidebarRequests';

export type { SidebarActions } from './sidebarRequests';

const historySize = 20;

/**
 * The Plumbline sidebar: a webview view with the agent server's state, the run's chat transcript,
 * the live plan and the controls. The webview is recreated when hidden, so the host re-sends a full
 * snapshot on every `ready`; the webview keeps only view state (the draft, the scroll) itself.
 */
export class SidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'plumbline.sidebar';

  private view: vscode.WebviewView | undefined;
  /** Set once the current webview said `ready`: nothing is sent before its snapshot. */
  private ready = false;
  private viewSubscriptions: vscode.Disposable[] = [];
  private readonly handshake = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly outbox = new SidebarOutbox((message) => void this.deliver(message));
  private handshakeCount = 0;
  private history: RunMeta[] = [];
  /** The run (and whether it had finished) the history was last fetched for. */
  private historyKey = '';

  /** Fires each time a webview instance completes `ready` → snapshot. */
  readonly onDidHandshake = this.handshake.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: AgentServerController,
    private readonly runs: RunController,
    private readonly sandbox: SandboxStatusWatcher,
    private readonly readiness: ModelReadiness,
    private readonly mcp: McpStatusWatcher,
    private readonly actions: SidebarActions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      server.onDidChange((view) => {
        this.push({ type: 'server/state', server: view });
        if (view.phase === 'ready') void this.refreshHistory();
      }),
      runs.onDidChange(() => {
        this.push({ type: 'run/state', run: this.runModel() });
        const key = `${runs.view?.runId ?? ''}:${String(runs.view?.finished !== undefined)}`;
        if (key !== this.historyKey) {
          this.historyKey = key;
          void this.refreshHistory();
        }
      }),
      runs.onDidChangeTranscript((change) => this.push(transcriptMessage(change))),
      runs.questions.onDidChange(() => this.push({ type: 'questions', questions: runs.questions.list })),
      // However a run was undone (palette, sidebar, API), the history then reads "undone".
      onDidUndoRun(() => void this.refreshHistory()),
      sandbox.onDidChange((status) => this.push({ type: 'sandbox', sandbox: status })),
      mcp.onDidChange((status) => this.push({ type: 'mcp', mcp: status })),
      readiness.onDidChange((setup) => this.push({ type: 'settings', settings: readSidebarSettings(setup) })),
      vscode.workspace.onDidChangeConfiguration((event) => {
        const shown = ['plumbline.approvalMode', 'plumbline.orchestrator', 'plumbline.worker'];
        if (shown.some((section) => event.affectsConfiguration(section))) this.push({ type: 'settings', settings: readSidebarSettings(this.readiness.current) });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.push({ type: 'settings', settings: readSidebarSettings(this.readiness.current) })),
    ];
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
      // A hidden webview loses its document; it says `ready` again when shown.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.disposeView();
      }),
    ];
  }

  /** Fetches the past runs from the server and sends them; keeps the last list when the server cannot answer. */
  async refreshHistory(): Promise<void> {
    if (this.server.view.phase !== 'ready') return;
    try {
      const { runs } = await this.server.request(runsListRequest, {});
      this.history = runs.slice(0, historySize);
      this.push({ type: 'history', runs: this.history });
    } catch (error) {
      this.log.warn(`The sidebar could not list past runs: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.disposeView();
    this.outbox.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
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
      this.sendSnapshot();
      return;
    }
    void this.answer(message);
  }

  private sendSnapshot(): void {
    // Whatever is queued is older than the snapshot, which already contains it.
    this.outbox.clear();
    this.ready = true;
    const state = {
      server: this.server.view,
      run: this.runModel(),
      transcript: this.runs.transcript.snapshot,
      history: this.history,
      settings: readSidebarSettings(this.readiness.current),
      sandbox: this.sandbox.current,
      questions: this.runs.questions.list,
      mcp: this.mcp.current,
    };
    void this.deliver({ type: 'snapshot', state }).then((delivered) => {
      if (!delivered) return;
      this.handshakeCount += 1;
      this.handshake.fire();
      void this.refreshHistory();
    });
  }

  private async answer(request: WebviewRequest): Promise<void> {
    try {
      await handleSidebarRequest(request, { runs: this.runs, actions: this.actions, mcp: this.mcp, refreshHistory: () => this.refreshHistory() });
      this.push({ type: 'response', id: request.id, ok: true });
    } catch (error) {
      this.push({ type: 'response', id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private runModel(): ReturnType<typeof toRunViewModel> {
    return toRunViewModel(this.runs.view, this.runs.pendingApproval, this.runs.transcript.stepEvidence);
  }

  private push(message: HostToWebview): void {
    if (this.view === undefined || !this.ready) return;
    this.outbox.push(message);
  }

  private async deliver(message: HostToWebview): Promise<boolean> {
    const view = this.view;
    if (view === undefined) return false;
    // Validate outgoing too: a schema drift between host and webview should fail here, loudly.
    const checked = hostToWebviewSchema.safeParse(message);
    if (!checked.success) {
      this.log.error(`Did not send the sidebar a malformed ${message.type}: ${checked.error.issues[0]?.message ?? 'invalid'} at ${checked.error.issues[0]?.path.join('.') ?? ''}`);
      return false;
    }
    return view.webview.postMessage(checked.data);
  }

  private disposeView(): void {
    for (const subscription of this.viewSubscriptions) subscription.dispose();
    this.viewSubscriptions = [];
    this.view = undefined;
    this.ready = false;
    this.outbox.clear();
  }
}

function transcriptMessage(change: TranscriptChange): HostToWebview {
  switch (change.kind) {
    case 'reset':
      return { type: 'transcript/reset', transcript: change.transcript };
    case 'append':
      return { type: 'transcript/append', items: [change.item] };
    case 'text':
      return { type: 'transcript/text', id: change.id, delta: change.delta };
  }
}
