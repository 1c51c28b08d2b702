import type Anthropic from '@anthropic-ai/sdk';
import { classifyError } from './classifyError';
import { ModelError } from './modelErrors';
import { toAnthropicMessages, toAnthropicSystem, toAnthropicTools } from './anthropicMessages';
import type { ModelClient, ModelEvent, ModelRequest, StopReason, Usage } from './modelTypes';
import { warmFetch } from './warmFetch';

export interface AnthropicClientOptions {
  readonly apiKey: string;
  readonly model: string;
  readonly baseUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Extended thinking budget; must be below the max output tokens. */
  readonly thinkingBudgetTokens?: number;
  readonly requestTimeoutMs: number;
}

function stopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end_turn';
    case 'tool_use':
      return 'tool_use';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

type Block =
  | { kind: 'text' }
  | { kind: 'tool'; id: string; name: string; json: string }
  | { kind: 'thinking'; thinking: string; signature: string }
  | { kind: 'redacted'; data: string }
  | { kind: 'other' };

let sdkModule: Promise<typeof import('@anthropic-ai/sdk')> | undefined;

/**
 * The SDK (the larger part of the server's bundle) is loaded when a client first needs it (its
 * warm-up, while the run's git look-ups run, or its first request), not with the server: a run
 * that uses the other provider never loads it.
 */
function loadSdk(): Promise<typeof import('@anthropic-ai/sdk')> {
  sdkModule ??= import('@anthropic-ai/sdk');
  return sdkModule;
}

export function createAnthropicClient(options: AnthropicClientOptions): ModelClient {
  let sdk: Promise<Anthropic> | undefined;
  const client = (): Promise<Anthropic> =>
    (sdk ??= loadSdk().then(
      ({ default: AnthropicClient }) =>
        new AnthropicClient({
          apiKey: options.apiKey,
          ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
          defaultHeaders: { ...(options.headers ?? {}) },
          maxRetries: 0,
          timeout: options.requestTimeoutMs,
          // No OpenTelemetry spans or trace headers: nothing here collects them, and building them costs
          // CPU on every request (measured in the per-step harness overhead).
          openTelemetry: false,
        }),
    ));

  return {
    provider: 'anthropic',
    model: options.model,
    warmUp: () => {
      void warmFetch();
      void client().catch(() => undefined);
    },
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const blocks = new Map<number, Block>();
      let usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
      let reason: StopReason | undefined;
      let stopped = false;
      const thinking = options.thinkingBudgetTokens;
      try {
        const stream = await (await client()).messages.create(
          {
            model: options.model,
            system: toAnthropicSystem(request),
            messages: toAnthropicMessages(request.messages),
            ...(request.tools.length > 0 ? { tools: toAnthropicTools(request.tools) } : {}),
            max_tokens: request.maxOutputTokens,
            ...(thinking !== undefined ? { thinking: { type: 'enabled', budget_tokens: thinking } } : {}),
            stream: true,
          },
          { signal: request.signal },
        );
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start': {
              const start = event.message.usage;
              usage = {
                inputTokens: start.input_tokens,
                outputTokens: start.output_tokens,
                cacheReadTokens: start.cache_read_input_tokens ?? 0,
                cacheWriteTokens: start.cache_creation_input_tokens ?? 0,
              };
              break;
            }
            case 'content_block_start': {
              const block = event.content_block;
              if (block.type === 'text') {
                blocks.set(event.index, { kind: 'text' });
                if (block.text !== '') yield { type: 'text', delta: block.text };
              } else if (block.type === 'tool_use') {
                blocks.set(event.index, { kind: 'tool', id: block.id, name: block.name, json: '' });
              } else if (block.type === 'thinking') {
                blocks.set(event.index, { kind: 'thinking', thinking: block.thinking, signature: block.signature });
              } else if (block.type === 'redacted_thinking') {
                blocks.set(event.index, { kind: 'redacted', data: block.data });
              } else {
                blocks.set(event.index, { kind: 'other' });
              }
              break;
            }
            case 'content_block_delta': {
              const block = blocks.get(event.index);
              const delta = event.delta;
              if (delta.type === 'text_delta') yield { type: 'text', delta: delta.text };
              else if (delta.type === 'input_json_delta' && block?.kind === 'tool') block.json += delta.partial_json;
              else if (delta.type === 'thinking_delta' && block?.kind === 'thinking') {
                block.thinking += delta.thinking;
                yield { type: 'thinking', delta: delta.thinking };
              } else if (delta.type === 'signature_delta' && block?.kind === 'thinking') block.signature += delta.signature;
              break;
            }
            case 'content_block_stop': {
              const block = blocks.get(event.index);
              if (block?.kind === 'tool') {
                yield { type: 'tool_call', call: { type: 'tool_call', id: block.id, name: block.name, rawArguments: block.json } };
              } else if (block?.kind === 'thinking') {
                yield { type: 'reasoning_block', part: { type: 'thinking', thinking: block.thinking, signature: block.signature } };
              } else if (block?.kind === 'redacted') {
                yield { type: 'reasoning_block', part: { type: 'redacted_thinking', data: block.data } };
              }
              break;
            }
            case 'message_delta': {
              reason = stopReason(event.delta.stop_reason);
              // message_delta carries cumulative output tokens (and, on some servers, updated input counts).
              usage = {
                ...usage,
                outputTokens: event.usage.output_tokens,
                ...(typeof event.usage.input_tokens === 'number' ? { inputTokens: event.usage.input_tokens } : {}),
              };
              break;
            }
            case 'message_stop':
              stopped = true;
              break;
          }
        }
      } catch (error) {
        throw classifyError('anthropic', error, request.signal, [options.apiKey]);
      }
      // On abort the SDK ends the stream quietly; without this a cancel would look like a cut stream (and be retried).
      if (request.signal.aborted) throw new ModelError('cancelled', 'anthropic', 'The request was cancelled.');
      if (!stopped) throw new ModelError('stream_cut', 'anthropic', 'The response stream ended before the model finished.');
      yield { type: 'usage', usage };
      yield { type: 'stop', reason: reason ?? 'other' };
    },
  };
}
