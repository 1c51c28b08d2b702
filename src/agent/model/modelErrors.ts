import type { ProviderId } from './modelTypes';
import type { ModelProblem } from '../../protocol/run';

/**
 * Why a model call failed, in terms that decide what happens next. Only the first group is retried;
 * the rest stop the call with a message that names the provider and what the user should do.
 */
export type ModelErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'connection'
  | 'timeout'
  | 'stream_cut'
  | 'quota_exhausted'
  | 'auth'
  | 'invalid_request'
  | 'context_too_long'
  | 'not_found'
  /** Nothing listens at a loopback address: a local server that is not running, which waiting does not fix. */
  | 'unreachable'
  | 'cancelled';

const retryableKinds: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'connection',
  'timeout',
  'stream_cut',
]);

const providerNames: Record<ProviderId, string> = {
  openai: 'OpenAI (or the OpenAI-compatible server)',
  anthropic: 'Anthropic',
  'vscode-lm': "VS Code's language model",
};

/**
 * Where a failed call went and which settings decide it, so the message can name the URL and the
 * setting to change (`endpointErrors.ts` attaches it to every error of a configured client).
 */
export interface EndpointRef {
  /** The base URL in use: the configured one, or the provider's own. */
  readonly url: string;
  /** True when no base URL was configured and `url` is the provider's default. */
  readonly defaultUrl: boolean;
  readonly model: string;
  /** `plumbline.<role>.baseUrl` */
  readonly urlSetting: string;
  /** `plumbline.<role>.model` */
  readonly modelSetting: string;
  /** The environment variable the CLI reads the key from (none for VS Code's models). */
  readonly keyVariable?: string;
  /** Why a 404/405 probably came from the base URL (`/v1` missing or doubled), when it did. */
  readonly urlHint?: string;
}

export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly kind: ModelErrorKind,
    readonly provider: ProviderId,
    message: string,
    readonly status?: number,
    /** Server-requested wait before retrying, from retry-after / retry-after-ms. */
    readonly retryAfterMs?: number,
    /** The operating system's code for a failed connection (`ECONNREFUSED`, `ENOTFOUND`), when there was one. */
    readonly systemCode?: string,
    readonly endpoint?: EndpointRef,
  ) {
    super(message);
  }

  /** The same error, told where the call went. */
  at(endpoint: EndpointRef, kind: ModelErrorKind = this.kind, message: string = this.message): ModelError {
    return new ModelError(kind, this.provider, message, this.status, this.retryAfterMs, this.systemCode, endpoint);
  }

  get retryable(): boolean {
    return retryableKinds.has(this.kind);
  }
}

const configure = '"Plumbline: Configure Models…"';

/** What to do next, naming the setting to change when the endpoint is known. */
function advice(kind: ModelErrorKind, where: EndpointRef | undefined): string {
  const urlSetting = where === undefined ? 'the base URL' : `${where.urlSetting} (${where.defaultUrl ? 'empty: the provider\'s own URL' : where.url})`;
  const modelSetting = where === undefined ? 'the model name' : `${where.modelSetting} (${where.model === '' ? 'empty' : where.model})`;
  const keyHelp = `run ${configure} in VS Code${where?.keyVariable !== undefined ? `, or set ${where.keyVariable} for the CLI` : ''}`;
  switch (kind) {
    case 'quota_exhausted':
      return 'Your quota or spending limit is used up: add credit or raise the limit in the provider console, or choose another model.';
    case 'auth':
      return `Check the API key: ${keyHelp}.`;
    case 'invalid_request':
      if (where?.urlHint !== undefined) return `${where.urlHint} Change ${urlSetting} (${configure}).`;
      if (where === undefined) return 'The request was refused as invalid; check the model name, base URL and max output tokens in the Plumbline settings.';
      return `The request was refused as invalid; check ${modelSetting}, ${urlSetting} and max output tokens in the Plumbline settings.`;
    case 'context_too_long':
      return 'The conversation is longer than the model accepts; choose a model with a larger context or narrow the task.';
    case 'not_found':
      if (where?.urlHint !== undefined) return `${where.urlHint} Change ${urlSetting} (${configure}).`;
      return `The model or endpoint was not found; check ${modelSetting} and ${urlSetting} (${configure}).`;
    case 'rate_limited':
      return 'The provider is rate-limiting requests; Plumbline retried and gave up. Wait a minute or lower the parallel worker setting.';
    case 'overloaded':
    case 'server_error':
      return 'The provider is having trouble; Plumbline retried and gave up. Try again shortly.';
    case 'unreachable':
      return `Start the server, or change ${urlSetting} (${configure}).`;
    case 'connection':
    case 'timeout':
    case 'stream_cut':
      return `Check the network connection and ${urlSetting}; Plumbline retried and gave up.`;
    case 'cancelled':
      return '';
  }
}

/**
 * The message a user reads: provider and URL, what happened, what to do and which setting does it.
 * Never includes request contents or keys.
 */
export function describeModelError(error: ModelError): string {
  const what = error.kind === 'cancelled' ? 'The request was cancelled.' : error.message;
  const next = advice(error.kind, error.endpoint);
  const endpoint = error.endpoint;
  const who = error.provider === 'openai' && endpoint !== undefined && !endpoint.defaultUrl ? 'OpenAI-compatible server' : providerNames[error.provider];
  const where = endpoint === undefined || error.provider === 'vscode-lm' ? '' : ` at ${endpoint.url}`;
  return `${who}${where}: ${what}${next ? ` ${next}` : ''}`;
}

/** Parses retry-after-ms, then retry-after as seconds or an HTTP date. */
export function retryAfterFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Secrets must not leak through error text echoed by a server: mask the known keys exactly (they
 * need not look like keys: Azure's are bare hex), then anything that looks like a key.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  const exact = secrets.filter((secret) => secret.length >= 8).reduce((out, secret) => out.split(secret).join('***'), text);
  return exact.replace(/\b(sk|pk|rk|key|sess)-[A-Za-z0-9_-]{8,}/g, '$1-***').replace(/Bearer\s+[A-Za-z0-9._-]+/g, 'Bearer ***');
}

/** The setting that decides an error of this kind: the base URL for reaching it, the model for finding it. */
function settingFor(error: ModelError): string | null {
  const where = error.endpoint;
  if (where === undefined) return null;
  switch (error.kind) {
    case 'unreachable':
    case 'connection':
    case 'timeout':
    case 'stream_cut':
      return where.urlSetting;
    case 'not_found':
    case 'invalid_request':
      return where.urlHint !== undefined ? where.urlSetting : where.modelSetting;
    default:
      return null;
  }
}

/** What a client needs to offer the way out of a run a model error ended (Retry, Configure Models). */
export function modelProblem(error: ModelError, beforePlan: boolean): ModelProblem {
  const url = error.endpoint === undefined || error.provider === 'vscode-lm' ? null : error.endpoint.url;
  return { provider: error.provider, kind: error.kind, url, setting: settingFor(error), beforePlan };
}
