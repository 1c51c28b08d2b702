import * as vscode from 'vscode';
import { statusRequest } from '../../protocol/methods';
import type { ModelRole } from '../../protocol/modelRoles';
import type { RoleModel } from '../../protocol/status';
import type { ModelSetupView } from '../../protocol/webviewMessages';
import type { AgentServerController } from '../agentServer/serverController';

/** A role's model as the sidebar names it: the model id, and the server when it is not the provider's own. */
function describeRoleModel(model: RoleModel): string {
  if (model.provider === 'vscode-lm') return model.model === '' ? 'VS Code model' : model.model;
  if (model.baseUrl === null) return model.model;
  try {
    return `${model.model} @ ${new URL(model.baseUrl).host}`;
  } catch {
    return model.model;
  }
}

/**
 * Whether a run could reach a model now: the server's resolution of the settings and keys (a
 * provider without its key, no provider at all) and, for VS Code's models, whether VS Code offers
 * one. The sidebar shows Configure Models instead of a task box that would fail while it is not.
 */
export class ModelReadiness implements vscode.Disposable {
  private state: ModelSetupView = { state: 'checking', problem: null, models: null };
  private readonly changed = new vscode.EventEmitter<ModelSetupView>();
  private readonly subscriptions: { dispose(): unknown }[];
  private generation = 0;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly server: AgentServerController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      this.changed,
      server.onDidChange((view) => {
        if (view.phase === 'ready') void this.refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('plumbline')) void this.refresh();
      }),
      vscode.lm.onDidChangeChatModels(() => void this.refresh()),
    ];
    if (server.view.phase === 'ready') void this.refresh();
  }

  get current(): ModelSetupView {
    return this.state;
  }

  /** Asks the server again; the latest answer wins when several are in flight. */
  async refresh(): Promise<ModelSetupView> {
    if (this.server.view.phase !== 'ready') return this.state;
    const generation = ++this.generation;
    let next: ModelSetupView;
    try {
      next = await this.check();
    } catch (error) {
      this.log.warn(`Could not tell whether a model is configured: ${error instanceof Error ? error.message : String(error)}`);
      return this.state;
    }
    if (generation === this.generation) this.set(next);
    return this.state;
  }

  private async check(): Promise<ModelSetupView> {
    // The server reads settings when told they changed; give it the moment it needs.
    const status = await this.server.request(statusRequest, {});
    const models = Object.fromEntries(status.models.map((model) => [model.role, describeRoleModel(model)])) as Record<ModelRole, string>;
    if (status.modelsError !== null) return { state: 'needed', problem: status.modelsError, models: null };
    if (status.models.some((model) => model.provider === 'vscode-lm')) {
      const offered = await vscode.lm.selectChatModels();
      if (offered.length === 0) {
        return {
          state: 'needed',
          problem: 'No model is configured, and VS Code offers no language model here. Choose a provider (OpenAI, Anthropic or a local OpenAI-compatible server such as Ollama).',
          models: null,
        };
      }
    }
    return { state: 'ready', problem: null, models };
  }

  private set(next: ModelSetupView): void {
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    this.changed.fire(next);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
