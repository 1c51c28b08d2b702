import * as vscode from 'vscode';
import { testModelRequest } from '../../protocol/methods';
import { modelRoles, type ModelRole } from '../../protocol/modelRoles';
import type { AgentServerController } from '../agentServer/serverController';

/** The four ways Configure Models reaches a model; `compatible` is the `openai` provider with a base URL. */
export type ProviderKind = 'openai' | 'anthropic' | 'compatible' | 'vscode-lm';

/** What Configure Models has gathered, not saved yet. Empty strings: the provider's own URL, Plumbline's default model. */
export interface Draft {
  kind: ProviderKind;
  baseUrl: string;
  models: Record<ModelRole, string>;
}

export type ReviewOutcome =
  | { readonly kind: 'save'; readonly target: vscode.ConfigurationTarget }
  | { readonly kind: 'change'; readonly stage: 'provider' | 'url' | 'key' | 'models' }
  | { readonly kind: 'cancelled' };

interface ReviewItem extends vscode.QuickPickItem {
  readonly action: 'test' | 'result' | 'save-workspace' | 'save-user' | 'provider' | 'url' | 'key' | 'models';
}

const providerWords: Record<ProviderKind, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  compatible: 'OpenAI-compatible server',
  'vscode-lm': 'VS Code language models',
};

function modelsLine(draft: Draft): string {
  const names = modelRoles.map((role) => draft.models[role] || 'default');
  return new Set(names).size === 1 ? (names[0] ?? 'default') : modelRoles.map((role, index) => `${role} ${names[index] ?? 'default'}`).join(' · ');
}

/** Where the workspace settings live, as the user finds them. */
function workspaceSettingsPlace(): string {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (vscode.workspace.workspaceFile !== undefined) return `the workspace file ${vscode.workspace.workspaceFile.path.split('/').pop() ?? ''}`;
  return `${folders[0]?.name ?? 'this folder'}/.vscode/settings.json`;
}

/** "OpenAI-compatible server at http://…/v1: Nothing is listening…" → the what, and the what-to-do. */
function splitResult(text: string): { what: string; next: string } {
  const plain = text.replace(/^.*? at \S+: /, '');
  const match = /^(.*?[.?!]\)?)\s+(.*)$/s.exec(plain);
  return match === null ? { what: plain, next: '' } : { what: match[1] ?? plain, next: match[2] ?? '' };
}

async function runTest(draft: Draft, server: AgentServerController): Promise<ReviewItem> {
  if (draft.kind === 'vscode-lm') {
    const wanted = draft.models[modelRoles[0] ?? 'orchestrator'] ?? '';
    const models = await vscode.lm.selectChatModels(wanted === '' ? undefined : { id: wanted });
    const found = models[0];
    return found !== undefined
      ? { action: 'result', label: `$(pass) VS Code offers ${found.name}`, description: found.id }
      : { action: 'result', label: '$(error) VS Code offers no such language model here', detail: 'Install and sign in to an extension that provides one (GitHub Copilot Chat, for example), or choose another provider.' };
  }
  const provider = draft.kind === 'anthropic' ? 'anthropic' : 'openai';
  const model = draft.models[modelRoles[0] ?? 'orchestrator'] ?? '';
  try {
    const result = await server.request(testModelRequest, { provider, baseUrl: draft.baseUrl, model });
    if (result.ok) return { action: 'result', label: `$(pass) Connected: ${result.url} answered in ${Math.round(result.latencyMs)} ms`, description: model || 'default model' };
    const { what, next } = splitResult(result.error ?? 'The test failed.');
    return { action: 'result', label: `$(error) ${what}`, detail: next };
  } catch (error) {
    return { action: 'result', label: '$(error) The agent server could not run the test', detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Configure Models' last step: what will be saved, Test Connection (its result shown as the list's
 * first row, in place), Save (to the workspace's settings first) and the ways back to each choice.
 */
export function testAndSave(draft: Draft, server: AgentServerController): Promise<ReviewOutcome> {
  const pick = vscode.window.createQuickPick<ReviewItem>();
  pick.title = 'Plumbline: Configure Models: test and save';
  pick.step = 5;
  pick.totalSteps = 5;
  pick.ignoreFocusOut = true;
  pick.buttons = [vscode.QuickInputButtons.Back];
  const where = draft.kind === 'compatible' ? draft.baseUrl : draft.kind === 'vscode-lm' ? 'VS Code' : providerWords[draft.kind];
  pick.placeholder = `${providerWords[draft.kind]} · ${modelsLine(draft)}`;
  const hasFolder = vscode.workspace.workspaceFolders !== undefined;
  const fixed: ReviewItem[] = [
    { action: 'test', label: '$(plug) Test Connection', description: `${where} · ${draft.models[modelRoles[0] ?? 'orchestrator'] || 'default model'}`, detail: 'One request for one token, as plumbline doctor --ping makes' },
    ...(hasFolder ? [{ action: 'save-workspace' as const, label: '$(save) Save to Workspace Settings', description: workspaceSettingsPlace(), detail: 'This workspace only (recommended)' }] : []),
    { action: 'save-user', label: `$(account) Save to User Settings${hasFolder ? ' instead' : ''}`, description: 'every workspace', detail: 'Workspace settings that choose a model still win there' },
    { action: 'provider', label: '$(arrow-left) Change the provider…', description: providerWords[draft.kind] },
    ...(draft.kind === 'compatible' ? [{ action: 'url' as const, label: '$(link) Change the base URL…', description: draft.baseUrl }] : []),
    ...(draft.kind === 'vscode-lm' ? [] : [{ action: 'key' as const, label: '$(key) Change the key…' }]),
    { action: 'models', label: '$(symbol-misc) Change the models…', description: modelsLine(draft) },
  ];
  let result: ReviewItem | undefined;
  const show = (active: ReviewItem['action']): void => {
    pick.items = result !== undefined ? [result, ...fixed] : fixed;
    const item = pick.items.find((entry) => entry.action === active);
    if (item !== undefined) pick.activeItems = [item];
  };
  show('test');
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: ReviewOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      pick.hide();
    };
    pick.onDidTriggerButton(() => settle({ kind: 'change', stage: 'models' }));
    pick.onDidAccept(() => {
      const chosen = pick.activeItems[0];
      if (chosen === undefined || pick.busy) return;
      switch (chosen.action) {
        case 'result':
          return;
        case 'test':
          pick.busy = true;
          result = { action: 'result', label: '$(loading~spin) Testing the connection…' };
          show('test');
          void runTest(draft, server).then((tested) => {
            result = tested;
            pick.busy = false;
            const passed = tested.label.startsWith('$(pass)');
            show(passed ? (hasFolder ? 'save-workspace' : 'save-user') : draft.kind === 'compatible' ? 'url' : 'key');
          });
          return;
        case 'save-workspace':
          settle({ kind: 'save', target: vscode.ConfigurationTarget.Workspace });
          return;
        case 'save-user':
          settle({ kind: 'save', target: vscode.ConfigurationTarget.Global });
          return;
        default:
          settle({ kind: 'change', stage: chosen.action });
      }
    });
    pick.onDidHide(() => {
      settle({ kind: 'cancelled' });
      pick.dispose();
    });
    pick.show();
  });
}

/** Writes the draft for every role, and says where it went (and when the workspace's settings hide it). */
export async function saveDraft(draft: Draft, target: vscode.ConfigurationTarget): Promise<void> {
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');
  const provider = draft.kind === 'compatible' ? 'openai' : draft.kind;
  for (const role of modelRoles) {
    await config().update(`${role}.provider`, provider, target);
    await config().update(`${role}.model`, draft.models[role] === '' ? undefined : draft.models[role], target);
    await config().update(`${role}.baseUrl`, draft.baseUrl === '' ? undefined : draft.baseUrl, target);
  }
  const place = target === vscode.ConfigurationTarget.Workspace ? `Workspace Settings (${workspaceSettingsPlace()})` : 'User Settings';
  const saved = `Plumbline now uses ${providerWords[draft.kind]}${draft.kind === 'compatible' ? ` at ${draft.baseUrl}` : ''} · ${modelsLine(draft)}, saved to ${place}.`;
  const hidden =
    target === vscode.ConfigurationTarget.Global &&
    modelRoles.some((role) => ['provider', 'model', 'baseUrl'].some((key) => config().inspect(`${role}.${key}`)?.workspaceValue !== undefined));
  if (hidden) void vscode.window.showWarningMessage(`${saved} This workspace's settings choose a model too, and they win here.`);
  else void vscode.window.showInformationMessage(saved);
}
