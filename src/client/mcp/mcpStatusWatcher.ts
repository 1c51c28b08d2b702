import * as vscode from 'vscode';
import type { McpStatus } from '../../protocol/mcp';
import { mcpStartRequest, mcpStatusRequest } from '../../protocol/methods';
import type { AgentServerController } from '../agentServer/serverController';
import type { RunController } from '../runs/runController';

/** The files a workspace defines MCP servers in, relative to its first folder (src/server/mcpService.ts reads them). */
export const workspaceMcpFiles = ['.vscode/mcp.json', '.mcp.json'] as const;

/**
 * The workspace's MCP servers as the sidebar shows them: asked of the agent server with
 * `start: false`, so opening the sidebar starts no server and asks nothing. Asked again when a
 * server becomes ready (trust granted restarts it), when a definition file or a `plumbline.mcp.*`
 * setting changes, and when a run ends (a run starts the servers it may use). Null while no server
 * is ready or it could not answer.
 */
export class McpStatusWatcher implements vscode.Disposable {
  private status: McpStatus | null = null;
  /** Bumped on every server change, so an answer from a server that has since gone is dropped. */
  private generation = 0;
  private readonly changed = new vscode.EventEmitter<McpStatus | null>();
  private readonly subscriptions: vscode.Disposable[];
  private pending: ReturnType<typeof setTimeout> | undefined;
  /** The last run whose end refreshed the list. */
  private lastFinishedRun: string | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly server: AgentServerController,
    runs: RunController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watchers = workspaceMcpFiles.map((file) => vscode.workspace.createFileSystemWatcher(`**/${file}`));
    this.subscriptions = [
      ...watchers,
      ...watchers.flatMap((watcher) => [watcher.onDidCreate(() => this.soon()), watcher.onDidChange(() => this.soon()), watcher.onDidDelete(() => this.soon())]),
      server.onDidChange((view) => {
        this.generation += 1;
        if (view.phase === 'ready') void this.refresh();
        else this.set(null);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('plumbline.mcp')) this.soon();
      }),
      runs.onDidChange(() => {
        // Once per finished run, not on every later change of its view.
        const finished = runs.view?.finished !== undefined ? runs.view.runId : undefined;
        if (finished !== undefined && finished !== this.lastFinishedRun) {
          this.lastFinishedRun = finished;
          this.soon();
        }
      }),
    ];
    if (server.view.phase === 'ready') void this.refresh();
  }

  get current(): McpStatus | null {
    return this.status;
  }

  /** Asks the server what is configured and running, starting nothing. */
  async refresh(): Promise<McpStatus | null> {
    if (this.server.view.phase !== 'ready') return this.status;
    const generation = this.generation;
    try {
      const status = await this.server.request(mcpStatusRequest, { start: false });
      if (generation === this.generation) this.set(status);
    } catch (error) {
      if (generation !== this.generation) return this.status;
      this.log.warn(`Could not ask the agent server for its MCP servers: ${error instanceof Error ? error.message : String(error)}`);
      this.set(null);
    }
    return this.status;
  }

  /** Starts one server; a workspace's asks its approval first (the modal of mcpServerApproval.ts). */
  async start(name: string): Promise<void> {
    const status = await this.server.request(mcpStartRequest, { name });
    this.set(status);
    const server = status.servers.find((entry) => entry.name === name);
    if (server !== undefined && server.state !== 'ready') throw new Error(`The MCP server "${name}" did not start: ${server.detail}`);
  }

  dispose(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }

  /** A save writes a file more than once: one question for a burst of changes. */
  private soon(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.refresh();
    }, 200);
  }

  private set(status: McpStatus | null): void {
    if (JSON.stringify(status) === JSON.stringify(this.status)) return;
    this.status = status;
    this.changed.fire(status);
  }
}

/**
 * Opens where a server is defined: a workspace file in an editor, the setting in the Settings
 * editor. `source` is one the server reported; anything else opens nothing.
 */
export async function openMcpDefinition(source: string): Promise<void> {
  const file = workspaceMcpFiles.find((known) => known === source);
  if (file !== undefined) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined) throw new Error('No workspace folder is open.');
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, ...file.split('/')));
    return;
  }
  if (source.startsWith('plumbline.mcp.servers')) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'plumbline.mcp.servers');
    return;
  }
  throw new Error(`Plumbline cannot open "${source}" from VS Code.`);
}
