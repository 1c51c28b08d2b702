import * as vscode from 'vscode';
import type { InitializationOptions } from '../../protocol/initialization';
import { createWire, type Wire } from '../../protocol/wire';
import type { ServerView } from '../../protocol/webviewMessages';
import type { AgentClient, createAgentClient } from './languageClient';

/** Crashes allowed within `crashWindowMs` before the client stops restarting the server. */
export const maxRestarts = 4;
const crashWindowMs = 3 * 60 * 1000;

/**
 * Owns the agent server process through `vscode-languageclient`: starts it in the background,
 * restarts it after a crash (a bounded number of times), and publishes a `ServerView` that the
 * sidebar and status report render.
 */
export class AgentServerController implements vscode.Disposable {
  private client: AgentClient | undefined;
  private createAgentClient: typeof createAgentClient | undefined;
  private crashTimes: number[] = [];
  private current: ServerView = { phase: 'starting', version: null, message: null, crashes: 0, maxRestarts };
  private readonly changed = new vscode.EventEmitter<ServerView>();

  /** Fires whenever the server's phase, version or message changes. */
  readonly onDidChange = this.changed.event;

  /** Handlers for server → client messages (already typed by the wire); registered again on every (re)started client. */
  private readonly notificationHandlers = new Map<string, (params: unknown) => void>();
  private readonly requestHandlers = new Map<string, (params: unknown, token: vscode.CancellationToken) => Promise<unknown>>();

  /**
   * The extension's end of the typed wire (`protocol/wire.ts`), across server restarts: `request`
   * and `notify` send client → server methods, `onRequest` and `onNotification` handle the
   * server's, each validated both ways. A malformed question is answered with its refusal
   * (cancel, deny, nothing accepted) before any handler sees it, and the fields go to the log.
   */
  private readonly wire: Wire<'client', vscode.CancellationToken>;
  readonly request: Wire<'client', vscode.CancellationToken>['request'];
  readonly notify: Wire<'client', vscode.CancellationToken>['notify'];
  readonly onRequest: Wire<'client', vscode.CancellationToken>['onRequest'];
  readonly onNotification: Wire<'client', vscode.CancellationToken>['onNotification'];

  constructor(
    private readonly serverModule: string,
    private readonly log: vscode.LogOutputChannel,
    /** The server's environment, read at each start: it carries the keys from SecretStorage. */
    private readonly environment: () => Promise<Record<string, string>>,
    /**
     * `dist/languageClient.js`: vscode-languageclient and the server's requests to VS Code, loaded
     * at the first start rather than with the extension (activation does not pay for it).
     */
    private readonly clientModule: string,
  ) {
    this.wire = createWire<'client', vscode.CancellationToken>(
      {
        sendRequest: (method, params, token) => this.running().sendRequest(method, params, token),
        sendNotification: (method, params) => this.running().sendNotification(method, params),
        onRequest: (method, handler) => {
          this.requestHandlers.set(method, handler);
          this.client?.onRequest(method, handler);
          return new vscode.Disposable(() => this.requestHandlers.delete(method));
        },
        onNotification: (method, handler) => {
          this.notificationHandlers.set(method, handler);
          this.client?.onNotification(method, handler);
          return new vscode.Disposable(() => this.notificationHandlers.delete(method));
        },
      },
      log,
    );
    this.request = (method, params, token) => this.wire.request(method, params, token);
    this.notify = (method, params) => this.wire.notify(method, params);
    this.onRequest = (method, handler) => this.wire.onRequest(method, handler);
    this.onNotification = (method, handler) => this.wire.onNotification(method, handler);
  }

  get view(): ServerView {
    return this.current;
  }

  /** Starts the server without blocking the caller; the returned promise settles when it is ready or failed. */
  async start(): Promise<void> {
    this.crashTimes = [];
    this.update({ phase: 'starting', version: null, message: null, crashes: 0 });
    let client: AgentClient;
    try {
      client = this.createClient(await this.environment());
    } catch (error) {
      this.failedToStart(error);
      return;
    }
    this.client = client;
    return client.start().catch((error: unknown) => this.failedToStart(error));
  }

  private failedToStart(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.log.error(`The agent server failed to start: ${reason}`);
    this.update({
      phase: 'failed',
      message: `The agent server failed to start (${reason}). Run "Plumbline: Restart Agent Server", or "Plumbline: Show Log" for details.`,
    });
  }

  /** Stops the current server (if any) and starts a fresh one; also the way out of `failed`. */
  async restart(): Promise<void> {
    const previous = this.client;
    this.client = undefined;
    if (previous !== undefined) {
      this.update({ phase: 'restarting', message: 'Restarting on request.' });
      await previous.dispose(2000).catch((error: unknown) => this.log.warn(`Stopping the agent server: ${String(error)}`));
    }
    this.log.info('Restarting the agent server.');
    await this.start();
  }

  /** The running client, for a message to the server; a clear error when there is none. */
  private running(): AgentClient {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      throw new Error('The Plumbline agent server is not running. Run "Plumbline: Restart Agent Server" and try again.');
    }
    return client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.changed.dispose();
    if (client !== undefined) await client.dispose(2000).catch(() => undefined);
  }

  /**
   * What the server is told at `initialize`: it is VS Code (it can bridge `vscode.lm`), and whether
   * the workspace is trusted. Trust is read at each start; granting it restarts the server.
   */
  initializationOptions(): InitializationOptions {
    return { host: 'vscode', workspaceTrusted: vscode.workspace.isTrusted };
  }

  private createClient(env: Record<string, string>): AgentClient {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, loaded on first need
    this.createAgentClient ??= (require(this.clientModule) as typeof import('./languageClient')).createAgentClient;
    const client = this.createAgentClient({
      serverModule: this.serverModule,
      env,
      log: this.log,
      initializationOptions: this.initializationOptions(),
      onClosed: () => this.onServerClosed(),
      onState: (running) => {
        // A restarted controller may still hear from the client it replaced.
        if (client !== this.client) return;
        if (running) this.update({ phase: 'ready', version: client.serverVersion(), message: null });
        else if (this.current.phase !== 'restarting') this.update({ phase: 'starting', message: null });
      },
    });
    for (const [method, handler] of this.notificationHandlers) client.onNotification(method, handler);
    for (const [method, handler] of this.requestHandlers) client.onRequest(method, handler);
    return client;
  }

  private onServerClosed(): { restart: boolean; message: string } {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((time) => now - time < crashWindowMs), now];
    const crashes = this.crashTimes.length;
    if (crashes > maxRestarts) {
      const message =
        `The agent server stopped unexpectedly ${crashes} times in 3 minutes, so Plumbline stopped restarting it. ` +
        'Run "Plumbline: Show Log" to see why, then "Plumbline: Restart Agent Server".';
      // The language client writes `message` to the log itself.
      this.update({ phase: 'failed', message, crashes });
      return { restart: false, message };
    }
    const message = `The agent server stopped unexpectedly; restarting it (crash ${crashes} of ${maxRestarts} allowed in 3 minutes).`;
    this.update({ phase: 'restarting', message, crashes });
    return { restart: true, message };
  }

  private update(change: Partial<ServerView>): void {
    this.current = { ...this.current, ...change };
    this.changed.fire(this.current);
  }
}
