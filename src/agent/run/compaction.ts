import type { AssistantMessage, ModelMessage, ToolCallPart, UserMessage } from '../model/modelTypes';
import { messageChars, prefixChars, TokenGauge, type RequestShape } from '../model/tokenEstimate';

/**
 * Compaction: a conversation that would pass `triggerShare` of its model's context window is made
 * smaller before the request goes out, without a model call. What stays as it was: the fixed
 * prefix (system prompt, tools and the first user message: the step's brief, or the task), so the
 * provider's prompt cache keeps serving it; every user text (feedback, the plan, the user's answers);
 * the latest turn, as long as the rest suffices; and every tool call with its result, so the pairs
 * stay valid for both providers. What shrinks, oldest first, until the request is under
 * `targetShare`: tool results, replaced by the harness's one-line summaries (what was read: path
 * and line count; what changed; what failed), and long tool-call arguments (a whole file written).
 * A conversation still over the trigger after that cannot go on: the caller fails with the reason.
 */

export const triggerShare = 0.8;
export const targetShare = 0.5;
/** What marks a result or an argument as compacted already (never summarised twice). */
export const compactedMark = '[compacted]';
/** Arguments longer than this are replaced by their short fields (paths, names) and a count. */
const maxKeptArgumentChars = 600;
/** Assistant text longer than this is cut when the latest turns must shrink too. */
const maxKeptTextChars = 2000;

export interface CompactionReport {
  readonly model: string;
  readonly contextWindow: number;
  readonly beforeTokens: number;
  readonly afterTokens: number;
  /** Tool results and arguments replaced by summaries. */
  readonly summarized: number;
}

export type FitResult =
  | { readonly kind: 'fits'; readonly tokens: number }
  | { readonly kind: 'compacted'; readonly report: CompactionReport }
  | { readonly kind: 'too_large'; readonly reason: string; readonly report: CompactionReport };

function firstLine(text: string, max = 200): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function argumentsOf(call: ToolCallPart | undefined): Record<string, unknown> {
  if (call === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(call.rawArguments === '' ? '{}' : call.rawArguments);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 200) : '');

/** The harness's summary of a tool result: what the call was, and what it told the model, in a line. */
export function summarizeResult(call: ToolCallPart | undefined, content: string, isError: boolean): string {
  const name = call?.name ?? 'a tool';
  const args = argumentsOf(call);
  const lines = content.split('\n').length;
  const note = 'dropped to fit the context window';
  if (isError) return `${compactedMark} ${name} failed: ${firstLine(content)}`;
  switch (name) {
    case 'read_file':
    {
      // read_file's wrapper says which lines it showed of how many.
      const shown = /lines="(\d+)-(\d+)"(?: total="(\d+)")?/.exec(content);
      const what = shown?.[1] !== undefined && shown[2] !== undefined ? `lines ${shown[1]}-${shown[2]}${shown[3] !== undefined ? ` of ${shown[3]}` : ''}` : `${String(lines)} lines`;
      return `${compactedMark} read_file ${text(args.path)}: ${what} were shown here (${note}; read the file again if you need them).`;
    }
    case 'search_text':
      return `${compactedMark} search_text "${text(args.query ?? args.pattern)}": ${String(lines)} lines of results (${note}).`;
    case 'list_files':
      return `${compactedMark} list_files ${text(args.path)}: ${String(lines)} lines (${note}).`;
    case 'run_command':
      return `${compactedMark} run_command ${text(args.command)}: ${firstLine(content)} (output ${note}).`;
    case 'edit_file':
    case 'create_file':
    case 'delete_file':
      return `${compactedMark} ${name} ${text(args.path)}: ${firstLine(content)}`;
    default:
      return `${compactedMark} ${name}: ${firstLine(content)} (${String(lines)} lines, ${note}).`;
  }
}

/** Long arguments as their short fields and what was dropped: still valid JSON, still the same call. */
export function compactArguments(call: ToolCallPart): string {
  const kept = Object.fromEntries(Object.entries(argumentsOf(call)).filter(([, value]) => typeof value !== 'string' || value.length <= 200));
  return JSON.stringify({ ...kept, compacted: `${compactedMark} ${String(call.rawArguments.length)} characters of arguments dropped to fit the context window` });
}

function compactUser(message: UserMessage, calls: ReadonlyMap<string, ToolCallPart>): { message: UserMessage; count: number } {
  let count = 0;
  const content = message.content.map((part) => {
    if (part.type !== 'tool_result' || part.content.startsWith(compactedMark)) return part;
    const summary = summarizeResult(calls.get(part.toolCallId), part.content, part.isError);
    if (summary.length >= part.content.length) return part;
    count += 1;
    return { ...part, content: summary };
  });
  return { message: count > 0 ? { ...message, content } : message, count };
}

function compactAssistant(message: AssistantMessage, cutText: boolean): { message: AssistantMessage; count: number } {
  let count = 0;
  const content = message.content.map((part) => {
    if (part.type === 'tool_call' && part.rawArguments.length > maxKeptArgumentChars && !part.rawArguments.includes(compactedMark)) {
      count += 1;
      return { ...part, rawArguments: compactArguments(part) };
    }
    if (cutText && part.type === 'text' && part.text.length > maxKeptTextChars) {
      count += 1;
      return { ...part, text: `${part.text.slice(0, maxKeptTextChars)}\n${compactedMark} the rest of this text was dropped to fit the context window.` };
    }
    return part;
  });
  return { message: count > 0 ? { ...message, content } : message, count };
}

/**
 * Keeps one conversation's requests within its model's context window. `fit` is called before each
 * request and compacts `messages` in place when needed; `observe` calibrates the estimate with the
 * provider's count. One per conversation: the calibration is that conversation's.
 */
export class ConversationCompactor {
  readonly gauge = new TokenGauge();

  constructor(private readonly windowOf: (model: string) => number | undefined) {}

  fit(shape: RequestShape & { readonly messages: ModelMessage[] }, model: string): FitResult {
    const window = this.windowOf(model);
    const before = this.gauge.estimate(shape);
    if (window === undefined || before <= Math.floor(window * triggerShare)) {
      this.gauge.sent(shape);
      return { kind: 'fits', tokens: before };
    }
    const { messages } = shape;
    const calls = new Map<string, ToolCallPart>();
    for (const message of messages) {
      if (message.role === 'assistant') for (const part of message.content) if (part.type === 'tool_call') calls.set(part.id, part);
    }
    let chars = prefixChars(shape) + messages.reduce((total, message) => total + messageChars(message), 0);
    let summarized = 0;
    const target = Math.floor(window * targetShare);
    // First everything but the latest turn (the last assistant message and its results), oldest first; then that too.
    const passes = [Math.max(1, messages.length - 2), messages.length];
    for (const [pass, end] of passes.entries()) {
      for (let index = 1; index < end && this.gauge.tokensFor(chars) > target; index++) {
        const message = messages[index];
        if (message === undefined) continue;
        const compacted = message.role === 'user' ? compactUser(message, calls) : compactAssistant(message, pass > 0);
        if (compacted.count === 0) continue;
        chars += messageChars(compacted.message) - messageChars(message);
        messages[index] = compacted.message;
        summarized += compacted.count;
      }
    }
    const after = this.gauge.estimate(shape);
    const report: CompactionReport = { model, contextWindow: window, beforeTokens: before, afterTokens: after, summarized };
    this.gauge.sent(shape);
    if (after > Math.floor(window * triggerShare)) {
      return {
        kind: 'too_large',
        report,
        reason: `the conversation needs about ${String(after)} tokens even after compaction, more than ${String(Math.round(triggerShare * 100))}% of ${model}'s context window of ${String(window)} tokens (its first message, the brief, is kept whole); set the role's contextWindow if the model's window is larger, or split the step`,
      };
    }
    return { kind: 'compacted', report };
  }

  observe: TokenGauge['observe'] = (usage) => this.gauge.observe(usage);
}
