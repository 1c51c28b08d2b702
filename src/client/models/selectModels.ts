import * as vscode from 'vscode';
import type { KeyedProvider } from '../../protocol/provider';
import type { ProviderChoice } from '../../protocol/settings';

type Role = 'orchestrator' | 'worker';

const roleLabels: Record<Role, string> = { orchestrator: 'Orchestrator (plans the run)', worker: 'Workers (carry out the steps)' };

const providers: readonly { provider: ProviderChoice; label: string; detail: string }[] = [
  { provider: 'auto', label: 'Auto', detail: 'Anthropic if it has a key, else OpenAI, else VS Code’s language models' },
  { provider: 'anthropic', label: 'Anthropic', detail: 'Anthropic Messages API (key from Set API Key…)' },
  { provider: 'openai', label: 'OpenAI or compatible', detail: 'OpenAI, or Ollama, LM Studio, vLLM, OpenRouter through the base URL' },
  { provider: 'vscode-lm', label: 'VS Code language models', detail: 'A model VS Code already offers, such as GitHub Copilot’s' },
];

/** Known models per provider and role; the first is Plumbline's default for the role. */
export const knownModels: Record<KeyedProvider, Record<Role, readonly string[]>> = {
  anthropic: { orchestrator: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'], worker: ['claude-haiku-4-5', 'claude-sonnet-4-5'] },
  openai: { orchestrator: ['gpt-5.1', 'gpt-5', 'gpt-5-mini'], worker: ['gpt-5-mini', 'gpt-5.1', 'gpt-5-nano'] },
};

interface ModelItem extends vscode.QuickPickItem {
  readonly model: string;
}

/** A quick pick that also accepts what the user typed when it matches no item (a model id of their own). */
function pickOrType<T extends vscode.QuickPickItem>(title: string, placeholder: string, items: readonly T[], typed: (value: string) => T | undefined): Promise<T | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.items = items;
  pick.ignoreFocusOut = true;
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0] ?? typed(pick.value.trim()));
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

async function modelItems(provider: ProviderChoice, role: Role, current: string): Promise<ModelItem[]> {
  const mark = (model: string): string => (model === current ? 'current' : '');
  const fallback: ModelItem = { label: 'Default', description: mark(''), detail: 'Plumbline’s choice for this role', model: '' };
  if (provider === 'vscode-lm') {
    const models = await vscode.lm.selectChatModels();
    return [
      { ...fallback, detail: 'The first model VS Code offers' },
      ...models.map((model) => ({ label: model.name, description: [model.id, model.vendor, mark(model.id)].filter((part) => part !== '').join(' · '), model: model.id })),
    ];
  }
  if (provider === 'auto') return [fallback];
  return [fallback, ...knownModels[provider][role].map((model) => ({ label: model, description: mark(model), model }))];
}

/**
 * "Plumbline: Select Models…": for each role, a provider then a model (VS Code's own models for
 * `vscode-lm`, known ones or any typed id for the others), written to `plumbline.<role>.provider` and
 * `.model` in the user or workspace settings. The server follows settings changes by itself.
 */
export async function selectModels(): Promise<boolean> {
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');
  const describe = (role: Role): string => `${config().get<string>(`${role}.provider`) ?? 'auto'} · ${config().get<string>(`${role}.model`) || 'default model'}`;
  const roles = await vscode.window.showQuickPick(
    [
      { label: roleLabels.orchestrator, description: describe('orchestrator'), roles: ['orchestrator'] as Role[] },
      { label: roleLabels.worker, description: describe('worker'), roles: ['worker'] as Role[] },
      { label: 'Both', description: 'the same provider and model for every role', roles: ['orchestrator', 'worker'] as Role[] },
    ],
    { title: 'Plumbline: Select Models', placeHolder: 'Which role’s model?', ignoreFocusOut: true },
  );
  if (roles === undefined) return false;
  const first = roles.roles[0] ?? 'orchestrator';
  const currentProvider = config().get<string>(`${first}.provider`) ?? 'auto';
  const provider = await vscode.window.showQuickPick(
    providers.map((entry) => ({ label: entry.label, description: entry.provider === currentProvider ? 'current' : entry.provider, detail: entry.detail, provider: entry.provider })),
    { title: `Plumbline: ${roles.label}: provider`, placeHolder: 'Which provider?', ignoreFocusOut: true },
  );
  if (provider === undefined) return false;
  const model = await pickOrType(
    `Plumbline: ${roles.label}: model`,
    provider.provider === 'vscode-lm' || provider.provider === 'auto' ? 'Which model?' : 'Pick a model, or type any model id and press Enter',
    await modelItems(provider.provider, first, config().get<string>(`${first}.model`) ?? ''),
    (value) => (value === '' || provider.provider === 'auto' ? undefined : { label: value, model: value }),
  );
  if (model === undefined) return false;
  const targets = [{ label: 'User Settings', description: 'every workspace', target: vscode.ConfigurationTarget.Global }];
  if (vscode.workspace.workspaceFolders !== undefined) targets.push({ label: 'Workspace Settings', description: 'this workspace only', target: vscode.ConfigurationTarget.Workspace });
  const target = targets.length === 1 ? targets[0] : await vscode.window.showQuickPick(targets, { title: 'Plumbline: Select Models: save in', ignoreFocusOut: true });
  if (target === undefined) return false;
  for (const role of roles.roles) {
    await config().update(`${role}.provider`, provider.provider, target.target);
    await config().update(`${role}.model`, model.model === '' ? undefined : model.model, target.target);
  }
  // A user-level choice does nothing where the workspace sets the same keys: say so rather than look broken.
  const hidden = target.target === vscode.ConfigurationTarget.Global && roles.roles.some((role) => config().inspect(`${role}.provider`)?.workspaceValue !== undefined || config().inspect(`${role}.model`)?.workspaceValue !== undefined);
  const saved = `Plumbline: ${roles.roles.join(' and ')} now use${roles.roles.length === 1 ? 's' : ''} ${provider.label}${model.model !== '' ? ` · ${model.model}` : ''} (${target.label}).`;
  if (hidden) void vscode.window.showWarningMessage(`${saved} This workspace's settings choose a model too, and they win here.`);
  else void vscode.window.showInformationMessage(saved);
  return true;
}
