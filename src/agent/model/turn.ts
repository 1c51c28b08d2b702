import { resilientStream, type ResilienceHooks, type RetryPolicy } from './resilientStream';
import { repairHistory } from './historyRepair';
import {
  addUsage,
  emptyUsage,
  type AssistantMessage,
  type ModelClient,
  type ModelEvent,
  type ModelRequest,
  type StopReason,
  type ToolCallPart,
  type Usage,
} from './modelTypes';

/** A tool call ready to run, or one whose arguments were not valid JSON (answered with an error). */
export type ReceivedToolCall =
  | { readonly call: ToolCallPart; readonly ok: true; readonly input: unknown }
  | { readonly call: ToolCallPart; readonly ok: false; readonly error: string };

export interface TurnResult {
  /** The assistant message to append to the history, exactly as received. */
  readonly message: AssistantMessage;
  readonly text: string;
  /** Calls to execute. Empty when the response was cut by the output limit: those never run. */
  readonly toolCalls: readonly ReceivedToolCall[];
  readonly stopReason: StopReason;
  readonly usage: Usage;
  /** Set when the output-token limit cut the response; tell the model with `truncationNotice`. */
  readonly truncated: boolean;
}

export const truncationNotice =
  'Your previous response hit the output-token limit before it was complete, so none of its tool calls were run. ' +
  'Make smaller tool calls (for example, split a large edit into several) and continue.';

function parseArguments(call: ToolCallPart): ReceivedToolCall {
  try {
    return { call, ok: true, input: JSON.parse(call.rawArguments === '' ? '{}' : call.rawArguments) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      call,
      ok: false,
      error: `The arguments of ${call.name} were not valid JSON (${reason}); nothing was run. Send the call again with valid JSON arguments.`,
    };
  }
}

/**
 * Runs one model turn to completion: streams it (with retries), forwards events for live display,
 * and assembles what the agent loop needs. The history is repaired before sending.
 */
export async function runTurn(
  client: ModelClient,
  request: ModelRequest,
  options: { readonly policy?: RetryPolicy; readonly hooks?: ResilienceHooks; readonly onEvent?: (event: ModelEvent) => void } = {},
): Promise<TurnResult> {
  let text = '';
  let parts: AssistantMessage['content'][number][] = [];
  let calls: ToolCallPart[] = [];
  let usage = emptyUsage;
  let stopReason: StopReason = 'other';
  const repaired = { ...request, messages: repairHistory(request.messages) };
  for await (const event of resilientStream(client, repaired, options.policy, options.hooks)) {
    options.onEvent?.(event);
    switch (event.type) {
      case 'text': {
        text += event.delta;
        const last = parts[parts.length - 1];
        parts = last?.type === 'text' ? [...parts.slice(0, -1), { type: 'text', text: last.text + event.delta }] : [...parts, { type: 'text', text: event.delta }];
        break;
      }
      case 'reasoning_block':
        parts.push(event.part);
        break;
      case 'tool_call':
        calls.push(event.call);
        parts.push(event.call);
        break;
      case 'usage':
        usage = addUsage(usage, event.usage);
        break;
      case 'stop':
        stopReason = event.reason;
        break;
      case 'restart':
        // The attempt failed midway and is being retried: what it streamed is void.
        text = '';
        parts = [];
        calls = [];
        usage = emptyUsage;
        break;
      case 'thinking':
        break;
    }
  }
  const truncated = stopReason === 'max_tokens';
  return {
    // A cut-off call is dropped from the history too: it never ran, so it has no result to pair with.
    message: { role: 'assistant', content: truncated ? parts.filter((part) => part.type !== 'tool_call') : parts },
    text,
    toolCalls: truncated ? [] : calls.map(parseArguments),
    stopReason,
    usage,
    truncated,
  };
}
