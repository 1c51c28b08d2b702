import type { PlumblineSettings, ProviderChoice } from '../../protocol/settings';
import type { ModelRole, ProviderId } from './modelTypes';

/** The keys the engine can use; they come from the server's environment and are never logged. */
export interface ApiKeys {
  readonly openai?: string | undefined;
  readonly anthropic?: string | undefined;
}

/** An environment variable's value, or undefined when it is unset or blank. */
const variable = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

export function apiKeysFrom(env: NodeJS.ProcessEnv): ApiKeys {
  return { openai: variable(env.OPENAI_API_KEY), anthropic: variable(env.ANTHROPIC_API_KEY) };
}

/** A strong planner and cheaper workers, per provider. */
export const defaultModels: Record<Exclude<ProviderId, 'vscode-lm'>, Record<ModelRole, string>> = {
  openai: { orchestrator: 'gpt-5.1', worker: 'gpt-5-mini', reviewer: 'gpt-5.1' },
  anthropic: { orchestrator: 'claude-sonnet-4-5', worker: 'claude-haiku-4-5', reviewer: 'claude-sonnet-4-5' },
};

/** Everything needed to talk to one role's model. */
export interface ResolvedEndpoint {
  readonly role: ModelRole;
  readonly provider: ProviderId;
  /** For `vscode-lm`, a model id or family; empty means the first model VS Code offers. */
  readonly model: string;
  readonly baseUrl: string | undefined;
}

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

function isLocal(baseUrl: string | undefined): boolean {
  if (baseUrl === undefined) return false;
  const host = new URL(baseUrl).hostname;
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}

function chooseProvider(choice: ProviderChoice, keys: ApiKeys, insideVsCode: boolean): ProviderId {
  if (choice !== 'auto') return choice;
  if (keys.anthropic !== undefined) return 'anthropic';
  if (keys.openai !== undefined) return 'openai';
  if (insideVsCode) return 'vscode-lm';
  throw new ModelConfigError(
    'No model provider is configured: set ANTHROPIC_API_KEY or OPENAI_API_KEY ' +
      '(in VS Code: "Plumbline: Configure Models…"), or point an OpenAI-compatible base URL at a local server.',
  );
}

/** Base URLs from the environment (`OPENAI_BASE_URL`, `ANTHROPIC_BASE_URL`), used when settings name none. */
export interface EnvironmentBaseUrls {
  readonly openai?: string | undefined;
  readonly anthropic?: string | undefined;
}

export function baseUrlsFrom(env: NodeJS.ProcessEnv): EnvironmentBaseUrls {
  return { openai: variable(env.OPENAI_BASE_URL), anthropic: variable(env.ANTHROPIC_BASE_URL) };
}

/** Picks provider, model and base URL for a role from the settings and the keys available. */
export function resolveEndpoint(
  settings: PlumblineSettings,
  role: ModelRole,
  keys: ApiKeys,
  insideVsCode: boolean,
  envBaseUrls: EnvironmentBaseUrls = {},
): ResolvedEndpoint {
  const own = settings[role];
  // A reviewer without a model of its own grades with the orchestrator's (on the same provider and
  // endpoint): a different model from the workers' where one is configured, since a grader of the
  // generator's own family shares its blind spots. Configure Models writes every role's provider.
  if (role === 'reviewer' && own.model === undefined) {
    const orchestrator = resolveEndpoint(settings, 'orchestrator', keys, insideVsCode, envBaseUrls);
    const sameProvider = own.provider === 'auto' || own.provider === orchestrator.provider;
    if (sameProvider && (own.baseUrl === undefined || own.baseUrl === orchestrator.baseUrl)) return { ...orchestrator, role };
  }
  const roleSettings = own;
  // A local OpenAI-compatible server needs no key, so `auto` with a local base URL means openai.
  const localOpenAi = isLocal(roleSettings.baseUrl) || (roleSettings.baseUrl === undefined && keys.openai === undefined && keys.anthropic === undefined && isLocal(envBaseUrls.openai));
  const provider = roleSettings.provider === 'auto' && localOpenAi ? 'openai' : chooseProvider(roleSettings.provider, keys, insideVsCode);
  const model = roleSettings.model ?? (provider === 'vscode-lm' ? '' : defaultModels[provider][role]);
  const baseUrl = roleSettings.baseUrl ?? (provider === 'vscode-lm' ? undefined : envBaseUrls[provider]);
  return { role, provider, model, baseUrl };
}

/** The key for an endpoint, or a clear error; local OpenAI-compatible servers get a placeholder. */
export function keyFor(endpoint: ResolvedEndpoint, keys: ApiKeys): string {
  if (endpoint.provider === 'vscode-lm') return '';
  const key = keys[endpoint.provider];
  if (key !== undefined) return key;
  if (endpoint.provider === 'openai' && isLocal(endpoint.baseUrl)) return 'not-needed';
  const variable = endpoint.provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
  throw new ModelConfigError(
    `No API key for ${endpoint.provider === 'openai' ? 'OpenAI' : 'Anthropic'} (the ${endpoint.role}'s provider): ` +
      `run "Plumbline: Configure Models…" in VS Code or set ${variable}.`,
  );
}
