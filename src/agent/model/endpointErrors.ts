import type { ResolvedEndpoint } from './modelConfig';
import { ModelError, type EndpointRef } from './modelErrors';
import type { ModelClient, ModelEvent, ModelRequest } from './modelTypes';

/** Where the SDKs send requests when no base URL is configured. */
export const providerDefaultUrls = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' } as const;

const keyVariables = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;

/** The URL, model and settings of a role's endpoint, as an error message names them. */
export function endpointRef(endpoint: ResolvedEndpoint): EndpointRef {
  const settings = { urlSetting: `plumbline.${endpoint.role}.baseUrl`, modelSetting: `plumbline.${endpoint.role}.model`, model: endpoint.model };
  if (endpoint.provider === 'vscode-lm') return { ...settings, url: 'vscode.lm', defaultUrl: true };
  const configured = endpoint.baseUrl;
  return {
    ...settings,
    url: configured ?? providerDefaultUrls[endpoint.provider],
    defaultUrl: configured === undefined,
    keyVariable: keyVariables[endpoint.provider],
  };
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '[::1]';
  } catch {
    return false;
  }
}

/** The local servers people run on their usual ports, to guess which one is not running. */
const localServers: Readonly<Record<string, string>> = { '11434': 'Ollama', '1234': 'LM Studio', '8000': 'vLLM', '8080': 'llama.cpp' };

function localServerName(url: string): string | undefined {
  try {
    return localServers[new URL(url).port];
  } catch {
    return undefined;
  }
}

/** `http://host:1234/v1`: the URL with its path set, for a "try …" suggestion. */
function withPath(url: URL, path: string): string {
  const copy = new URL(url.href);
  copy.pathname = path;
  copy.search = '';
  return copy.href.replace(/\/$/, '');
}

/**
 * Why a 404 or 405 that is not about the model most likely came from the base URL. OpenAI-compatible
 * servers serve `/v1/chat/completions` and the SDK adds `/chat/completions`, so the base URL ends in
 * `/v1`; Anthropic's SDK adds `/v1/messages` itself, so its base URL has no `/v1`.
 */
export function baseUrlHint(provider: 'openai' | 'anthropic', baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (provider === 'anthropic') {
    if (/\/v1(\/|$)/.test(path)) return `The base URL probably has an extra /v1: the Anthropic client adds /v1/messages itself (try ${withPath(url, path.replace(/\/v1(\/.*)?$/, ''))}).`;
    return undefined;
  }
  if (/\/chat\/completions$/.test(path)) return `The base URL has an extra /chat/completions: the client adds it (try ${withPath(url, path.replace(/\/chat\/completions$/, ''))}).`;
  if (/\/v1\/v1$/.test(path)) return `The base URL has an extra /v1 (try ${withPath(url, path.replace(/\/v1$/, ''))}).`;
  if (!/\/v1$/.test(path)) return `The base URL probably lacks /v1: OpenAI-compatible servers answer under /v1 (try ${withPath(url, `${path}/v1`)}).`;
  return 'Nothing answers OpenAI requests under this URL: check its path (an OpenAI-compatible base URL usually ends in /v1, with nothing after it).';
}

/** A 404 that blames the model (Ollama, vLLM, OpenAI, Anthropic's wordings), not the URL. */
const aboutTheModel = /model[^.]*(not found|does not exist|not exist|unknown|no such)|model_not_found|(unknown|no such|invalid) model/i;

/**
 * Tells an error where its call went, and sharpens what only the URL can tell: a refused connection
 * to a loopback address is a local server that is not running (not worth four retries), and a 404
 * or 405 that does not mention the model is a base URL with a missing or extra `/v1`.
 */
export function refineModelError(error: ModelError, where: EndpointRef): ModelError {
  if (error.kind === 'cancelled') return error;
  if (error.kind === 'connection' && error.systemCode === 'ECONNREFUSED' && isLoopbackUrl(where.url)) {
    const guess = localServerName(where.url);
    return error.at(where, 'unreachable', `Nothing is listening at ${where.url} (is ${guess ?? 'the server'} running?).`);
  }
  if (error.kind === 'connection' && error.systemCode === 'ENOTFOUND') {
    return error.at(where, 'connection', `Could not connect: the host of ${where.url} was not found (ENOTFOUND).`);
  }
  const wrongPath = (error.status === 404 || error.status === 405) && !aboutTheModel.test(error.message);
  if (wrongPath && (error.provider === 'openai' || error.provider === 'anthropic')) {
    const hint = baseUrlHint(error.provider, where.url);
    if (hint !== undefined) return error.at({ ...where, urlHint: hint }, error.status === 405 ? 'not_found' : error.kind);
  }
  return error.at(where);
}

/** A client whose every error names its endpoint (see `refineModelError`). */
export function withEndpointErrors(client: ModelClient, where: EndpointRef): ModelClient {
  return {
    provider: client.provider,
    model: client.model,
    ...(client.warmUp !== undefined ? { warmUp: () => client.warmUp?.() } : {}),
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      try {
        yield* client.stream(request);
      } catch (error) {
        throw error instanceof ModelError ? refineModelError(error, where) : error;
      }
    },
  };
}
