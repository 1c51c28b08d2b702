import * as vscode from 'vscode';
import { keyedProviderSchema, type KeyedProvider } from '../../protocol/provider';

export type { KeyedProvider } from '../../protocol/provider';

const secretName: Record<KeyedProvider, string> = { openai: 'plumbline.apiKey.openai', anthropic: 'plumbline.apiKey.anthropic' };
const variable: Record<KeyedProvider, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
export const providerLabel: Record<KeyedProvider, string> = { openai: 'OpenAI (or OpenAI-compatible)', anthropic: 'Anthropic' };

/**
 * API keys kept in VS Code's SecretStorage (the OS keychain on desktop). They reach the agent
 * server only through its process environment at start, never through settings, LSP messages
 * or logs, so a message trace cannot reveal them.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((event) => {
      if (Object.values(secretName).includes(event.key)) listener();
    });

  async has(provider: KeyedProvider): Promise<boolean> {
    return (await this.secrets.get(secretName[provider])) !== undefined;
  }

  async set(provider: KeyedProvider, key: string): Promise<void> {
    await this.secrets.store(secretName[provider], key.trim());
  }

  async remove(provider: KeyedProvider): Promise<void> {
    await this.secrets.delete(secretName[provider]);
  }

  /**
   * The environment for the agent server: the extension host's own, with stored keys taking
   * precedence over inherited variables, and the names (not values) of the stored ones.
   */
  async serverEnvironment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    const stored: KeyedProvider[] = [];
    for (const provider of keyedProviderSchema.options) {
      const key = await this.secrets.get(secretName[provider]);
      if (key !== undefined && key !== '') {
        env[variable[provider]] = key;
        stored.push(provider);
      }
    }
    env.PLUMBLINE_SECRET_STORAGE_KEYS = stored.join(',');
    return env;
  }
}
