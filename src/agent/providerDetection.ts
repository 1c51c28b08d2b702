import type { ProviderStatus } from '../protocol/status';

/** The environment variables the engine reads; kept narrow so nothing else is ever inspected. */
export interface ProviderEnvironment {
  readonly OPENAI_API_KEY?: string | undefined;
  readonly OPENAI_BASE_URL?: string | undefined;
  readonly ANTHROPIC_API_KEY?: string | undefined;
  readonly ANTHROPIC_BASE_URL?: string | undefined;
  /** Names (never values) of keys the VS Code extension took from SecretStorage, comma-separated. */
  readonly PLUMBLINE_SECRET_STORAGE_KEYS?: string | undefined;
}

/** Variable that tells the server which of its keys came from VS Code's SecretStorage. */
export const secretStorageKeysVariable = 'PLUMBLINE_SECRET_STORAGE_KEYS';

function keySource(env: ProviderEnvironment, provider: 'openai' | 'anthropic', variable: string, value: string | undefined): string | null {
  if (!present(value)) return null;
  const fromSecrets = (env.PLUMBLINE_SECRET_STORAGE_KEYS ?? '').split(',').includes(provider);
  return fromSecrets ? 'VS Code SecretStorage' : `env:${variable}`;
}

const openaiDefaultBaseUrl = 'https://api.openai.com/v1';
const anthropicDefaultBaseUrl = 'https://api.anthropic.com';

function present(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

/**
 * Reports which model providers are usable from the environment. Keys are checked for presence
 * only: this function's output goes to logs and terminals, so it must never carry a key.
 */
export function detectProviders(env: ProviderEnvironment, insideVsCode: boolean): ProviderStatus[] {
  const statuses: ProviderStatus[] = [
    {
      id: 'openai',
      label: 'OpenAI or OpenAI-compatible',
      keyPresent: present(env.OPENAI_API_KEY),
      keySource: keySource(env, 'openai', 'OPENAI_API_KEY', env.OPENAI_API_KEY),
      baseUrl: present(env.OPENAI_BASE_URL) ? (env.OPENAI_BASE_URL ?? null) : openaiDefaultBaseUrl,
    },
    {
      id: 'anthropic',
      label: 'Anthropic',
      keyPresent: present(env.ANTHROPIC_API_KEY),
      keySource: keySource(env, 'anthropic', 'ANTHROPIC_API_KEY', env.ANTHROPIC_API_KEY),
      baseUrl: present(env.ANTHROPIC_BASE_URL) ? (env.ANTHROPIC_BASE_URL ?? null) : anthropicDefaultBaseUrl,
    },
    {
      id: 'vscode-lm',
      label: "VS Code's language models",
      keyPresent: false,
      keySource: null,
      baseUrl: null,
      note: insideVsCode
        ? 'offered by the editor; no key needed'
        : 'available only when Plumbline runs inside VS Code',
    },
  ];
  return statuses;
}

/** Picks exactly the provider variables out of a process environment. */
export function providerEnvironmentFrom(env: NodeJS.ProcessEnv): ProviderEnvironment {
  return {
    OPENAI_API_KEY: env.OPENAI_API_KEY,
    OPENAI_BASE_URL: env.OPENAI_BASE_URL,
    ANTHROPIC_API_KEY: env.ANTHROPIC_API_KEY,
    ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL,
    PLUMBLINE_SECRET_STORAGE_KEYS: env.PLUMBLINE_SECRET_STORAGE_KEYS,
  };
}
