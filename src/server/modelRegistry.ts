import { apiKeysFrom, baseUrlsFrom, defaultModels, keyFor, resolveEndpoint, type ResolvedEndpoint } from '../agent/model/modelConfig';
import { modelRoles } from '../protocol/modelRoles';
import { createModelClient, type VsCodeModelFactory } from '../agent/model/createModelClient';
import { pingModel } from '../agent/model/ping';
import { listModels } from '../agent/model/listModels';
import { endpointRef } from '../agent/model/endpointErrors';
import type { CandidateEndpoint } from '../protocol/methods';
import type { ModelRole } from '../agent/model/modelTypes';
import type { PingResult } from '../protocol/methods';
import type { RoleModel } from '../protocol/status';
import type { SettingsSource } from './settingsSource';


/** Resolves which model each role uses, from the settings and the keys in this process's environment. */
export class ModelRegistry {
  constructor(
    private readonly settings: SettingsSource,
    private readonly insideVsCode: () => boolean,
    private readonly vscodeModels: VsCodeModelFactory,
  ) {}

  /** The roles a run would use: the reviewer only while a review mode is on. */
  private roles(): readonly ModelRole[] {
    return modelRoles.filter((role) => role !== 'reviewer' || this.settings.current.review.mode !== 'off');
  }

  resolve(): { models: RoleModel[]; error: string | null } {
    const models: RoleModel[] = [];
    const errors: string[] = this.settings.error !== null ? [this.settings.error] : [];
    for (const role of this.roles()) {
      try {
        const endpoint = this.endpoint(role);
        // A provider without its key is not ready either: say so before a run fails on it.
        keyFor(endpoint, apiKeysFrom(process.env));
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
    for (const role of this.roles()) {
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

  /**
   * Configure Models' Test Connection: the ping of an endpoint not saved yet, with this server's key
   * for its provider. A missing key is the named error, not an exception.
   */
  async test(candidate: CandidateEndpoint, signal: AbortSignal): Promise<{ ok: boolean; url: string; latencyMs: number; error?: string }> {
    const endpoint = candidateEndpoint(candidate);
    const url = endpointRef(endpoint).url;
    try {
      const client = createModelClient(endpoint, this.settings.current, apiKeysFrom(process.env));
      const result = await pingModel(client, signal);
      return { ok: result.ok, url, latencyMs: result.latencyMs, ...(result.error !== undefined ? { error: result.error } : {}) };
    } catch (error) {
      return { ok: false, url, latencyMs: 0, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The models the candidate's server lists, or why it lists none. */
  list(candidate: Omit<CandidateEndpoint, 'model'>, signal: AbortSignal): Promise<{ models: string[]; error: string | null }> {
    const endpoint = candidateEndpoint({ ...candidate, model: '' });
    const key = apiKeysFrom(process.env)[candidate.provider];
    return listModels(candidate.provider, endpoint.baseUrl, key, signal);
  }
}

function candidateEndpoint(candidate: CandidateEndpoint): ResolvedEndpoint {
  return {
    role: 'orchestrator',
    provider: candidate.provider,
    model: candidate.model !== '' ? candidate.model : defaultModels[candidate.provider].orchestrator,
    baseUrl: candidate.baseUrl !== '' ? candidate.baseUrl : undefined,
  };
}
