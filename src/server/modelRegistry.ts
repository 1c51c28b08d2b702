import { apiKeysFrom, baseUrlsFrom, defaultModels, resolveEndpoint, type ResolvedEndpoint } from '../agent/model/modelConfig';
import { createModelClient, type VsCodeModelFactory } from '../agent/model/createModelClient';
import { pingModel } from '../agent/model/ping';
import type { ModelRole } from '../agent/model/modelTypes';
import type { PingResult } from '../protocol/methods';
import type { RoleModel } from '../protocol/status';
import type { SettingsSource } from './settingsSource';

const roles: readonly ModelRole[] = ['orchestrator', 'worker'];

/** Resolves which model each role uses, from the settings and the keys in this process's environment. */
export class ModelRegistry {
  constructor(
    private readonly settings: SettingsSource,
    private readonly insideVsCode: () => boolean,
    private readonly vscodeModels: VsCodeModelFactory,
  ) {}

  resolve(): { models: RoleModel[]; error: string | null } {
    const models: RoleModel[] = [];
    const errors: string[] = this.settings.error !== null ? [this.settings.error] : [];
    for (const role of roles) {
      try {
        const endpoint = this.endpoint(role);
        models.push({ role, provider: endpoint.provider, model: endpoint.model, baseUrl: endpoint.baseUrl ?? null });
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    // Both roles usually fail for the same reason: say it once.
    return { models, error: errors.length > 0 ? [...new Set(errors)].join(' ') : null };
  }

  endpoint(role: ModelRole): ResolvedEndpoint {
    return resolveEndpoint(this.settings.current, role, apiKeysFrom(process.env), this.insideVsCode(), baseUrlsFrom(process.env));
  }

  /** Pings each distinct endpoint the roles use, in parallel; roles without one are left to `resolve().error`. */
  async ping(signal: AbortSignal): Promise<PingResult[]> {
    const byKey = new Map<string, { endpoint: ResolvedEndpoint; roles: ModelRole[] }>();
    for (const role of roles) {
      let endpoint: ResolvedEndpoint;
      try {
        endpoint = this.endpoint(role);
      } catch {
        continue;
      }
      const key = `${endpoint.provider} ${endpoint.model} ${endpoint.baseUrl ?? ''}`;
      const entry = byKey.get(key);
      if (entry !== undefined) entry.roles.push(role);
      else byKey.set(key, { endpoint, roles: [role] });
    }
    // A provider with a key that no role uses is still worth proving: ping its default worker model.
    const keys = apiKeysFrom(process.env);
    for (const provider of ['anthropic', 'openai'] as const) {
      if (keys[provider] === undefined || [...byKey.values()].some(({ endpoint }) => endpoint.provider === provider)) continue;
      const endpoint: ResolvedEndpoint = { role: 'worker', provider, model: defaultModels[provider].worker, baseUrl: baseUrlsFrom(process.env)[provider] };
      byKey.set(`${provider} default`, { endpoint, roles: [] });
    }
    const results = await Promise.all(
      [...byKey.values()].map(async ({ endpoint, roles: usedBy }): Promise<PingResult> => {
        const base = { provider: endpoint.provider, model: endpoint.model, baseUrl: endpoint.baseUrl ?? null, roles: usedBy };
        try {
          const client = createModelClient(endpoint, this.settings.current, apiKeysFrom(process.env), this.insideVsCode() ? this.vscodeModels : undefined);
          const result = await pingModel(client, signal);
          return { ...base, ...result };
        } catch (error) {
          return { ...base, ok: false, latencyMs: 0, outputTokens: 0, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    return results;
  }
}
