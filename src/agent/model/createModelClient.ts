import type { PlumblineSettings } from '../../protocol/settings';
import { createAnthropicClient } from './anthropicClient';
import { keyFor, ModelConfigError, type ApiKeys, type ResolvedEndpoint } from './modelConfig';
import type { ModelClient } from './modelTypes';
import { createOpenAiClient } from './openaiClient';
import { endpointRef, withEndpointErrors } from './endpointErrors';

/** Runs `vscode.lm` requests on the engine's behalf; only the VS Code client provides one. */
export type VsCodeModelFactory = (endpoint: ResolvedEndpoint) => ModelClient;

/**
 * Builds the client for a resolved endpoint, its errors naming the URL and the settings to change.
 * Throws `ModelConfigError` with what to do when it cannot.
 */
export function createModelClient(
  endpoint: ResolvedEndpoint,
  settings: PlumblineSettings,
  keys: ApiKeys,
  vscodeModels?: VsCodeModelFactory,
): ModelClient {
  const client = createBareClient(endpoint, settings, keys, vscodeModels);
  return endpoint.provider === 'vscode-lm' ? client : withEndpointErrors(client, endpointRef(endpoint));
}

function createBareClient(
  endpoint: ResolvedEndpoint,
  settings: PlumblineSettings,
  keys: ApiKeys,
  vscodeModels?: VsCodeModelFactory,
): ModelClient {
  const requestTimeoutMs = settings.requestTimeoutSeconds * 1000;
  switch (endpoint.provider) {
    case 'openai':
      return createOpenAiClient({
        apiKey: keyFor(endpoint, keys),
        model: endpoint.model,
        requestTimeoutMs,
        headers: settings.openai.headers,
        ...(endpoint.baseUrl !== undefined ? { baseUrl: endpoint.baseUrl } : {}),
        ...(settings.openai.apiKeyHeader !== undefined ? { apiKeyHeader: settings.openai.apiKeyHeader } : {}),
        ...(settings.openai.reasoningEffort !== undefined ? { reasoningEffort: settings.openai.reasoningEffort } : {}),
      });
    case 'anthropic':
      return createAnthropicClient({
        apiKey: keyFor(endpoint, keys),
        model: endpoint.model,
        requestTimeoutMs,
        headers: settings.anthropic.headers,
        ...(endpoint.baseUrl !== undefined ? { baseUrl: endpoint.baseUrl } : {}),
        ...(settings.anthropic.thinkingBudgetTokens > 0 ? { thinkingBudgetTokens: settings.anthropic.thinkingBudgetTokens } : {}),
      });
    case 'vscode-lm':
      if (vscodeModels === undefined) {
        throw new ModelConfigError("VS Code's language models can only be used when Plumbline runs inside VS Code; choose openai or anthropic for the CLI.");
      }
      return vscodeModels(endpoint);
  }
}
