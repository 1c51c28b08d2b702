import * as vscode from 'vscode';
import { listModelsRequest } from '../../protocol/methods';
import { modelRoleLabels, modelRoles, type ModelRole } from '../../protocol/modelRoles';
import type { KeyedProvider } from '../../protocol/provider';
import type { AgentServerController } from '../agentServer/serverController';
import type { ApiKeyStore } from './apiKeys';
import { keyStep, pickStep, type StepResult } from './quickInputSteps';
import { knownModels } from './selectModels';
import { saveDraft, testAndSave, type Draft, type ProviderKind } from './configureModelsReview';

export type { Draft, ProviderKind } from './configureModelsReview';

interface ProviderItem extends vscode.QuickPickItem {
  readonly provider: ProviderKind;
}

const providerItems: readonly ProviderItem[] = [
  { provider: 'compatible', label: '$(server) OpenAI-compatible server', detail: 'Ollama, LM Studio, vLLM, llama.cpp on this machine; OpenRouter or any hosted /v1 API' },
  { provider: 'openai', label: '$(cloud) OpenAI', detail: 'api.openai.com, with your OpenAI API key' },
  { provider: 'anthropic', label: '$(cloud) Anthropic', detail: 'api.anthropic.com, with your Anthropic API key' },
  { provider: 'vscode-lm', label: '$(vscode) VS Code language models', detail: 'A model VS Code already offers, such as GitHub Copilot’s (no key)' },
];

interface UrlItem extends vscode.QuickPickItem {
  readonly url: string;
}

/** The servers people run, on the URLs they answer by default. */
export const commonBaseUrls: readonly UrlItem[] = [
  { label: 'Ollama', description: 'http://localhost:11434/v1', url: 'http://localhost:11434/v1' },
  { label: 'LM Studio', description: 'http://localhost:1234/v1', url: 'http://localhost:1234/v1' },
  { label: 'vLLM', description: 'http://localhost:8000/v1', url: 'http://localhost:8000/v1' },
  { label: 'llama.cpp server', description: 'http://localhost:8080/v1', url: 'http://localhost:8080/v1' },
  { label: 'OpenRouter', description: 'https://openrouter.ai/api/v1 (needs a key)', url: 'https://openrouter.ai/api/v1' },
];

interface ModelItem extends vscode.QuickPickItem {
  readonly model: string;
}

export function keyedProviderOf(kind: ProviderKind): KeyedProvider | undefined {
  return kind === 'vscode-lm' ? undefined : kind === 'anthropic' ? 'anthropic' : 'openai';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  } catch {
    return false;
  }
}

/** The draft from the settings as they are: what the flow starts from, so Enter keeps each choice. */
function currentDraft(): Draft {
  const config = vscode.workspace.getConfiguration('plumbline');
  const first = modelRoles[0] ?? 'orchestrator';
  const provider = config.get<string>(`${first}.provider`) ?? 'auto';
  const baseUrl = config.get<string>(`${first}.baseUrl`)?.trim() ?? '';
  const kind: ProviderKind = provider === 'anthropic' ? 'anthropic' : provider === 'vscode-lm' ? 'vscode-lm' : provider === 'openai' && baseUrl === '' ? 'openai' : 'compatible';
  const models = Object.fromEntries(modelRoles.map((role) => [role, config.get<string>(`${role}.model`)?.trim() ?? ''])) as Record<ModelRole, string>;
  return { kind, baseUrl, models };
}

/** Waits for the agent server to come back after a key change restarted it (keys reach it only at start). */
async function serverRestarted(server: AgentServerController): Promise<void> {
  const deadline = Date.now() + 60_000;
  const leftReady = Date.now() + 3_000;
  while (server.view.phase === 'ready' && Date.now() < leftReady) await new Promise((resolve) => setTimeout(resolve, 100));
  while (server.view.phase !== 'ready' && server.view.phase !== 'failed' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

const title = 'Plumbline: Configure Models';

/**
 * "Plumbline: Configure Models…": one multi-step quick input for everything a run needs to reach a
 * model: provider, base URL (with the usual local servers offered), key (SecretStorage only), a
 * model per role (listed from the server's `/v1/models` when it answers), then Test Connection
 * (the same one-token call as `plumbline doctor --ping`, its result shown in the list) and Save,
 * to the workspace's settings unless the user picks theirs. A quick input rather than a sidebar
 * form: it is reached the same way from the palette, the sidebar and an error's button, works at
 * any sidebar width and from the keyboard alone, and keeps the key out of the webview.
 */
export async function configureModels(server: AgentServerController, keys: ApiKeyStore): Promise<boolean> {
  const draft = currentDraft();
  type Stage = 'provider' | 'url' | 'key' | 'models' | 'review';
  let stage: Stage = 'provider';
  const totalSteps = 5;
  for (;;) {
    switch (stage) {
      case 'provider': {
        const result = await pickStep({ title, step: 1, totalSteps, placeholder: 'Where do your models run?', items: providerItems, back: false, active: (item) => item.provider === draft.kind });
        if (result.kind !== 'picked') return false;
        if (result.value.provider !== draft.kind) draft.models = Object.fromEntries(modelRoles.map((role) => [role, ''])) as Record<ModelRole, string>;
        draft.kind = result.value.provider;
        if (draft.kind !== 'compatible') draft.baseUrl = '';
        stage = draft.kind === 'compatible' ? 'url' : draft.kind === 'vscode-lm' ? 'models' : 'key';
        break;
      }
      case 'url': {
        const result = await pickUrl(draft.baseUrl);
        if (result.kind === 'cancelled') return false;
        if (result.kind === 'back') stage = 'provider';
        else {
          draft.baseUrl = result.value;
          stage = 'key';
        }
        break;
      }
      case 'key': {
        const result = await askKey(draft, keys, server);
        if (result === 'cancelled') return false;
        stage = result === 'back' ? (draft.kind === 'compatible' ? 'url' : 'provider') : 'models';
        break;
      }
      case 'models': {
        const result = await pickModels(draft, server);
        if (result === 'cancelled') return false;
        stage = result === 'back' ? (draft.kind === 'vscode-lm' ? 'provider' : 'key') : 'review';
        break;
      }
      case 'review': {
        const result = await testAndSave(draft, server);
        if (result.kind === 'cancelled') return false;
        if (result.kind === 'change') {
          stage = result.stage;
          break;
        }
        await saveDraft(draft, result.target);
        return true;
      }
    }
  }
}

async function pickUrl(current: string): Promise<StepResult<string>> {
  const result = await pickStep<UrlItem>({
    title,
    step: 2,
    totalSteps: 5,
    placeholder: 'The server’s base URL: pick one, or type any http(s) URL and press Enter',
    items: current !== '' && !commonBaseUrls.some((item) => item.url === current) ? [{ label: current, description: 'current', url: current }, ...commonBaseUrls] : commonBaseUrls,
    back: true,
    typed: (value) => (isHttpUrl(value) ? { label: value, description: 'the URL you typed', url: value.replace(/\/+$/, '') } : undefined),
    active: (item) => item.url === current,
  });
  return result.kind === 'picked' ? { kind: 'picked', value: result.value.url } : result;
}

interface KeyChoice extends vscode.QuickPickItem {
  readonly choice: 'keep' | 'enter' | 'none';
}

/** Keeps, replaces or enters the provider's key; a local server may go without. Stores it in SecretStorage only. */
async function askKey(draft: Draft, keys: ApiKeyStore, server: AgentServerController): Promise<'done' | 'back' | 'cancelled'> {
  const provider = keyedProviderOf(draft.kind);
  if (provider === undefined) return 'done';
  const stored = await keys.has(provider);
  const local = draft.kind === 'compatible' && isLoopback(draft.baseUrl);
  const name = draft.kind === 'compatible' ? 'OpenAI-compatible' : provider === 'openai' ? 'OpenAI' : 'Anthropic';
  const choices: KeyChoice[] = [];
  if (local) choices.push({ choice: 'none', label: '$(pass) No key', description: 'a server on this machine needs none' });
  if (stored) choices.push({ choice: 'keep', label: '$(key) Keep the stored key', description: `${name} key in VS Code's secret storage` });
  choices.push({ choice: 'enter', label: stored ? '$(edit) Replace the key…' : '$(key) Enter the key…', description: 'kept in VS Code’s secret storage, never in settings' });
  for (;;) {
    const picked = await pickStep({ title, step: 3, totalSteps: 5, placeholder: `The ${name} API key`, items: choices, back: true });
    if (picked.kind !== 'picked') return picked.kind;
    if (picked.value.choice !== 'enter') return 'done';
    const key = await keyStep({ title: `${title}: ${name} API key`, step: 3, totalSteps: 5, prompt: "Stored in VS Code's secret storage; never written to settings or logs.", optional: false });
    if (key.kind === 'cancelled') return 'cancelled';
    if (key.kind === 'back') continue;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Plumbline: storing the key and restarting the agent server…' }, async () => {
      await keys.set(provider, key.value);
      await serverRestarted(server);
    });
    return 'done';
  }
}

/** A model for each role: from the server's list when it has one, else the known ones; any typed id works. */
async function pickModels(draft: Draft, server: AgentServerController): Promise<'done' | 'back' | 'cancelled'> {
  const offered = await offeredModels(draft, server);
  const roles = [...modelRoles];
  for (let index = 0; index < roles.length; ) {
    const role = roles[index] as ModelRole;
    const previous = index > 0 ? draft.models[roles[index - 1] as ModelRole] : undefined;
    const suggestions = offered.models.length > 0 ? offered.models : draft.kind === 'openai' || draft.kind === 'anthropic' ? ((knownModels[draft.kind] as Partial<Record<ModelRole, readonly string[]>>)[role] ?? []) : [];
    const items: ModelItem[] = [
      ...(previous !== undefined && previous !== '' ? [{ label: `$(copy) Same as above: ${previous}`, model: previous }] : []),
      ...suggestions.map((model) => ({ label: model, description: model === draft.models[role] ? 'current' : '', model })),
      ...(draft.kind === 'compatible' ? [] : [{ label: 'Default', description: draft.kind === 'vscode-lm' ? 'the first model VS Code offers' : 'Plumbline’s choice for this role', model: '' }]),
    ];
    const note = offered.error !== null ? ` (the server listed none: ${offered.error})` : '';
    const result = await pickStep<ModelItem>({
      title: `${title}: ${modelRoleLabels[role]}`,
      step: 4,
      totalSteps: 5,
      placeholder: `${draft.kind === 'compatible' ? 'Pick a model, or type its id and press Enter' : 'Pick a model, or type any model id'}${note}`,
      items,
      back: true,
      typed: (value) => (value !== '' && !items.some((item) => item.model === value) ? { label: value, description: 'the model id you typed', model: value } : undefined),
      active: (item) => item.model === draft.models[role] && !item.label.startsWith('$(copy)'),
    });
    if (result.kind === 'cancelled') return 'cancelled';
    if (result.kind === 'back') {
      if (index === 0) return 'back';
      index -= 1;
      continue;
    }
    draft.models[role] = result.value.model;
    index += 1;
  }
  return 'done';
}

async function offeredModels(draft: Draft, server: AgentServerController): Promise<{ models: string[]; error: string | null }> {
  if (draft.kind === 'vscode-lm') {
    const models = await vscode.lm.selectChatModels();
    return { models: models.map((model) => model.id), error: models.length === 0 ? 'VS Code offers no language model here' : null };
  }
  const provider = keyedProviderOf(draft.kind);
  // OpenAI's own list is hundreds of models of every kind: the known chat models say more.
  if (provider === undefined || draft.kind === 'openai' || server.view.phase !== 'ready') return { models: [], error: null };
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Plumbline: listing the server’s models' }, () =>
    server.request(listModelsRequest, { provider, baseUrl: draft.baseUrl }).then(
      (listed) => listed,
      (error: unknown) => ({ models: [], error: error instanceof Error ? error.message : String(error) }),
    ),
  );
}
