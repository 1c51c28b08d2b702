import * as vscode from 'vscode';
import { providerLabel, type ApiKeyStore, type KeyedProvider } from './apiKeys';

interface KeyAction extends vscode.QuickPickItem {
  readonly provider: KeyedProvider;
  readonly action: 'set' | 'remove';
}

/**
 * "Plumbline: Set API Key…": choose a provider, paste the key into a password box. Stored keys can
 * be removed from the same list. The server restarts with the new key (see extension.ts).
 */
export async function setApiKey(store: ApiKeyStore): Promise<void> {
  const items: KeyAction[] = [];
  for (const provider of ['anthropic', 'openai'] as const) {
    const stored = await store.has(provider);
    items.push({ provider, action: 'set', label: `$(key) ${providerLabel[provider]}`, description: stored ? 'replace the stored key' : 'no key stored' });
    if (stored) items.push({ provider, action: 'remove', label: `$(trash) Remove the ${providerLabel[provider]} key` });
  }
  const choice = await vscode.window.showQuickPick(items, { title: 'Plumbline: Set API Key', placeHolder: 'Which provider?' });
  if (choice === undefined) return;
  if (choice.action === 'remove') {
    await store.remove(choice.provider);
    void vscode.window.showInformationMessage(`Plumbline removed the ${providerLabel[choice.provider]} key from VS Code's secret storage.`);
    return;
  }
  const key = await vscode.window.showInputBox({
    title: `Plumbline: ${providerLabel[choice.provider]} API key`,
    prompt: "Stored in VS Code's secret storage; never written to settings or logs.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Paste the key, or press Escape to cancel.' : /\s/.test(value.trim()) ? 'A key has no spaces in it.' : undefined),
  });
  if (key === undefined) return;
  await store.set(choice.provider, key);
  void vscode.window.showInformationMessage(`Plumbline stored the ${providerLabel[choice.provider]} key; the agent server restarts to use it.`);
}
