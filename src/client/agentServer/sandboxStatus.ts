import * as vscode from 'vscode';
import { statusRequest } from '../../protocol/methods';
import type { SandboxStatus } from '../../protocol/sandbox';
import type { AgentServerController } from './serverController';

/**
 * Which sandbox confines tests and commands, as the running agent server reports it
 * (`plumbline/status`). Asked each time a server becomes ready (the server probes the machine once
 * per process, so a restart after installing bubblewrap shows the new answer); unknown (null) while
 * no server is ready. Each answer is written to the log, so "Show Log" has the detail.
 */
export class SandboxStatusWatcher implements vscode.Disposable {
  private status: SandboxStatus | null = null;
  /** Bumped on every server change, so an answer from a server that has since gone is dropped. */
  private generation = 0;
  private readonly changed = new vscode.EventEmitter<SandboxStatus | null>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly server: AgentServerController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = server.onDidChange((view) => {
      this.generation += 1;
      if (view.phase === 'ready') void this.refresh();
      else this.set(null);
    });
    if (server.view.phase === 'ready') void this.refresh();
  }

  get current(): SandboxStatus | null {
    return this.status;
  }

  /** Asks the server again; keeps nothing stale when it cannot answer. */
  async refresh(): Promise<SandboxStatus | null> {
    const generation = this.generation;
    try {
      const { sandbox } = await this.server.request(statusRequest, {});
      if (generation !== this.generation) return this.status;
      this.set(sandbox ?? null);
      if (sandbox !== undefined) this.log.info(describeSandboxForLog(sandbox));
    } catch (error) {
      if (generation !== this.generation) return this.status;
      this.log.warn(`Could not ask the agent server which sandbox it uses: ${error instanceof Error ? error.message : String(error)}`);
      this.set(null);
    }
    return this.status;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private set(status: SandboxStatus | null): void {
    if (JSON.stringify(status) === JSON.stringify(this.status)) return;
    this.status = status;
    this.changed.fire(status);
  }
}

/** The log line: the whole story, where the sidebar has room for one line. */
export function describeSandboxForLog(sandbox: SandboxStatus): string {
  return sandbox.kind === 'none'
    ? `Sandbox: none. ${sandbox.detail} Tests and commands on changes nobody has reviewed run only after you agree, once per run, or after your review. ${sandbox.remedy ?? ''}`.trim()
    : `Sandbox: ${sandbox.detail}. Tests and commands run without network (but plumbline.sandbox.allowedHosts), without your home folder, and write only inside their copy of the workspace.`;
}
