import type { ToolSpec } from '../../tools/defineTool';
import type { ModelMessage, Usage } from './modelTypes';

/**
 * A request's size in tokens, estimated without a tokenizer: characters / 4 of what goes on the wire
 * (system prompt, stable context, tool schemas, every message part) plus a little per part for the
 * wire's framing. `TokenGauge` calibrates it against what the provider reported for the last
 * request, so a tokenizer that counts differently (code, other languages) is followed after one call.
 */

const charsPerToken = 4;
/** Role markers, ids and JSON framing around each part. */
const perPartChars = 24;

export interface RequestShape {
  readonly system: string;
  readonly stableContext?: string;
  readonly tools: readonly ToolSpec[];
  readonly messages: readonly ModelMessage[];
}

/** Characters a message contributes. */
export function messageChars(message: ModelMessage): number {
  let chars = 0;
  for (const part of message.content) {
    chars += perPartChars;
    switch (part.type) {
      case 'text':
        chars += part.text.length;
        break;
      case 'tool_result':
        chars += part.content.length + part.toolCallId.length;
        break;
      case 'tool_call':
        chars += part.rawArguments.length + part.name.length + part.id.length;
        break;
      case 'thinking':
        chars += part.thinking.length + part.signature.length;
        break;
      case 'redacted_thinking':
        chars += part.data.length;
        break;
    }
  }
  return chars;
}

/** Characters of the fixed part: system prompt, stable context, tools. */
export function prefixChars(shape: Omit<RequestShape, 'messages'>): number {
  return shape.system.length + (shape.stableContext?.length ?? 0) + JSON.stringify(shape.tools).length;
}

/** Input tokens a provider counted for a request (cached ones included). */
export function reportedInputTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/** Estimates one conversation's requests, calibrated by the provider's own counts as they come. */
export class TokenGauge {
  /** Reported / estimated, from the last response; bounded so one odd count cannot blind the gauge. */
  #scale = 1;
  #lastEstimate: number | undefined;

  estimate(shape: RequestShape): number {
    return this.tokensFor(prefixChars(shape) + shape.messages.reduce((total, message) => total + messageChars(message), 0));
  }

  /** Tokens `chars` characters of a request come to, as calibrated so far. */
  tokensFor(chars: number): number {
    return Math.ceil((chars / charsPerToken) * this.#scale);
  }

  /** The request about to go out: its raw estimate, to compare with what the provider reports. */
  sent(shape: RequestShape): void {
    this.#lastEstimate = this.estimate(shape) / this.#scale;
  }

  /** The provider's count for the request last `sent`. */
  observe(usage: Usage): void {
    const reported = reportedInputTokens(usage);
    if (this.#lastEstimate === undefined || this.#lastEstimate <= 0 || reported <= 0) return;
    this.#scale = Math.min(4, Math.max(0.5, reported / this.#lastEstimate));
  }
}
