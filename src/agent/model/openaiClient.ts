import type OpenAI from 'openai';
import { classifyError } from './classifyError';
import { ModelError } from './modelErrors';
import type { ModelClient, ModelEvent, ModelRequest, StopReason } from './modelTypes';
import { toOpenAiMessages, toOpenAiTools } from './openaiMessages';
import { warmFetch } from './warmFetch';

export interface OpenAiClientOptions {
  readonly apiKey: string;
  readonly model: string;
  /** OpenAI by default; any OpenAI-compatible server (Ollama, LM Studio, vLLM, OpenRouter, Azure's v1 API). */
  readonly baseUrl?: string;
  /** Extra headers (OpenRouter attribution, proxies). Keys never go here: see `apiKeyHeader`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the key in this header instead of `Authorization: Bearer` (Azure OpenAI uses `api-key`). */
  readonly apiKeyHeader?: string;
  readonly reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Time allowed until the response starts. */
  readonly requestTimeoutMs: number;
}

const officialHost = /(^|\.)openai\.com$|\.openai\.azure\.com$/;

function usesCompletionTokens(options: OpenAiClientOptions): boolean {
  // OpenAI's own API wants max_completion_tokens (and reasoning models require it); many
  // compatible servers only understand max_tokens.
  if (options.reasoningEffort !== undefined) return true;
  if (options.baseUrl === undefined) return true;
  try {
    return officialHost.test(new URL(options.baseUrl).hostname);
  } catch {
    return false;
  }
}

function stopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    default:
      return 'other';
  }
}

/**
 * The openai SDK's error classes all keep `name === 'Error'` (unlike Anthropic's), so classifyError,
 * which recognises connection, timeout and abort errors by name, would see them as server errors.
 */
function withSdkName(error: unknown, sdk: OpenAiSdk | undefined): unknown {
  if (sdk === undefined) return error;
  if (error instanceof sdk.APIConnectionTimeoutError) error.name = 'APIConnectionTimeoutError';
  else if (error instanceof sdk.APIConnectionError) error.name = 'APIConnectionError';
  else if (error instanceof sdk.APIUserAbortError) error.name = 'APIUserAbortError';
  return error;
}

type OpenAiSdk = typeof import('openai');
let sdkModule: Promise<OpenAiSdk> | undefined;
let sdkLoaded: OpenAiSdk | undefined;

/**
 * The SDK is loaded when a client first needs it (its warm-up, while the run's git look-ups run,
 * or its first request), not with the server: a run that uses the other provider never loads it.
 */
function loadSdk(): Promise<OpenAiSdk> {
  sdkModule ??= import('openai').then((loaded) => (sdkLoaded = loaded));
  return sdkModule;
}

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

export function createOpenAiClient(options: OpenAiClientOptions): ModelClient {
  const headers: Record<string, string | null> = { ...(options.headers ?? {}) };
  if (options.apiKeyHeader !== undefined) {
    headers[options.apiKeyHeader] = options.apiKey;
    // Instead of the Bearer header, not besides it (null removes the SDK's): Azure must not see a second credential.
    if (options.apiKeyHeader.toLowerCase() !== 'authorization') headers.Authorization = null;
  }
  let sdk: Promise<OpenAI> | undefined;
  const client = (): Promise<OpenAI> =>
    (sdk ??= loadSdk().then(
      ({ default: OpenAIClient }) =>
        new OpenAIClient({
          apiKey: options.apiKey,
          ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
          defaultHeaders: headers,
          // Retries are Plumbline's (resilientStream): they honour retry-after-ms and never repeat acted-on output.
          maxRetries: 0,
          timeout: options.requestTimeoutMs,
        }),
    ));
  const completionTokens = usesCompletionTokens(options);

  return {
    provider: 'openai',
    model: options.model,
    warmUp: () => {
      void warmFetch();
      void client().catch(() => undefined);
    },
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const calls = new Map<number, PendingCall>();
      let finish: string | null | undefined;
      let sawUsage = false;
      try {
        const stream = await (await client()).chat.completions.create(
          {
            model: options.model,
            messages: toOpenAiMessages(request),
            ...(request.tools.length > 0 ? { tools: toOpenAiTools(request.tools) } : {}),
            stream: true,
            stream_options: { include_usage: true },
            // max_tokens is deprecated by OpenAI but is the only limit many compatible servers read.
            // eslint-disable-next-line @typescript-eslint/no-deprecated
            ...(completionTokens ? { max_completion_tokens: request.maxOutputTokens } : { max_tokens: request.maxOutputTokens }),
            ...(options.reasoningEffort !== undefined ? { reasoning_effort: options.reasoningEffort } : {}),
          },
          { signal: request.signal },
        );
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (choice !== undefined) {
            const delta = choice.delta;
            if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text', delta: delta.content };
            for (const call of delta.tool_calls ?? []) {
              const pending = calls.get(call.index) ?? { id: '', name: '', args: '' };
              if (call.id) pending.id = call.id;
              if (call.function?.name) pending.name += call.function.name;
              if (call.function?.arguments) pending.args += call.function.arguments;
              calls.set(call.index, pending);
            }
            if (choice.finish_reason) finish = choice.finish_reason;
          }
          if (chunk.usage) {
            sawUsage = true;
            const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
            // OpenAI counts cached tokens inside prompt_tokens; the engine counts them apart.
            yield {
              type: 'usage',
              usage: {
                inputTokens: Math.max(0, chunk.usage.prompt_tokens - cached),
                outputTokens: chunk.usage.completion_tokens,
                cacheReadTokens: cached,
                cacheWriteTokens: 0,
              },
            };
          }
        }
      } catch (error) {
        throw classifyError('openai', withSdkName(error, sdkLoaded), request.signal, [options.apiKey]);
      }
      // On abort the SDK ends the stream quietly; without this a cancel would look like a cut stream (and be retried).
      if (request.signal.aborted) throw new ModelError('cancelled', 'openai', 'The request was cancelled.');
      if (finish === undefined) {
        throw new ModelError('stream_cut', 'openai', 'The response stream ended before the model finished.');
      }
      const reason = stopReason(finish);
      for (const [index, call] of [...calls.entries()].sort(([a], [b]) => a - b)) {
        yield { type: 'tool_call', call: { type: 'tool_call', id: call.id || `call_${index}`, name: call.name, rawArguments: call.args } };
      }
      if (!sawUsage) yield { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } };
      yield { type: 'stop', reason: calls.size > 0 && reason === 'end_turn' ? 'tool_use' : reason };
    },
  };
}
