import type * as z from 'zod';
import { invokeTool, type ToolContext, type ToolDefinition, type ToolResult, type ToolSpec } from '../../tools/defineTool';
import { costOf, findPrice, type Price } from '../model/pricing';
import type { ModelClient, ModelEvent, ModelMessage, ModelRole, ToolResultPart } from '../model/modelTypes';
import { runTurn, truncationNotice } from '../model/turn';
import type { RetryPolicy } from '../model/resilientStream';
import type { CallRecord, UsageLedger } from '../model/usageLedger';
import type { CompactionReport, ConversationCompactor } from './compaction';
import { LoopDetector, loopWarning } from './loopDetector';
import type { RunBudget } from './runBudget';

/** What an agent loop reports as it goes; the run turns these into client events. */
export type LoopEvent =
  | { readonly type: 'model'; readonly event: ModelEvent }
  | { readonly type: 'tool'; readonly name: string; readonly input: unknown; readonly result: ToolResult }
  | { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  /** A turn came back, before its tool calls run: its text (what a model says after an unanswered question is its assumption). */
  | { readonly type: 'turn'; readonly text: string }
  /** The conversation was compacted before the next request (never silently: the run notes it). */
  | { readonly type: 'compacted'; readonly report: CompactionReport };

export interface AgentLoopOptions<C extends ToolContext> {
  readonly role: ModelRole;
  readonly client: ModelClient;
  readonly system: string;
  readonly stableContext?: string;
  readonly tools: ReadonlyMap<string, ToolDefinition<z.ZodType, C>>;
  readonly toolSpecs: readonly ToolSpec[];
  readonly context: C;
  readonly maxOutputTokens: number;
  readonly maxTurns: number;
  readonly budget: RunBudget;
  readonly ledger: UsageLedger;
  readonly prices: Readonly<Record<string, Price>>;
  readonly signal: AbortSignal;
  /** What to tell a model that stops talking without calling its terminal tool. */
  readonly nudge: string;
  readonly retryPolicy?: RetryPolicy;
  readonly onEvent?: (event: LoopEvent) => void;
  /** Puts a question to the user for `ask_user` (the orchestrator and workers give it to their tools' context). */
  readonly askUser?: (question: string, choices: readonly string[]) => Promise<string | undefined>;
  /** Keeps the conversation within the model's context window (absent: not measured). */
  readonly compaction?: ConversationCompactor;
  /** Hears each request's usage as the ledger records it: what one attempt or one review cost. */
  readonly onUsage?: (call: CallRecord) => void;
}

export type LoopEnd =
  | { readonly kind: 'stopped_by_tool' }
  | { readonly kind: 'gave_up'; readonly reason: string };

/**
 * The tool-use loop shared by the orchestrator and the workers: ask the model, run the tool calls
 * it makes (each validated; every failure goes back to it as a result), until a terminal tool is
 * accepted. The budget is checked before every request. `messages` is the conversation so far and
 * is extended in place, so a later phase (re-planning) continues the same cached prefix.
 */
export async function runAgentLoop<C extends ToolContext>(options: AgentLoopOptions<C>, messages: ModelMessage[]): Promise<LoopEnd> {
  const detector = new LoopDetector();
  let nudges = 0;
  for (let turnIndex = 0; turnIndex < options.maxTurns; turnIndex++) {
    options.budget.check({ model: options.client.model, priced: findPrice(options.client.model, options.prices) !== undefined });
    // Measured on the model of this request: an escalation may have changed it since the last.
    const fit = options.compaction?.fit({ system: options.system, ...(options.stableContext !== undefined ? { stableContext: options.stableContext } : {}), tools: options.toolSpecs, messages }, options.client.model);
    if (fit?.kind === 'compacted') options.onEvent?.({ type: 'compacted', report: fit.report });
    if (fit?.kind === 'too_large') {
      options.onEvent?.({ type: 'compacted', report: fit.report });
      return { kind: 'gave_up', reason: fit.reason };
    }
    const turn = await runTurn(
      options.client,
      {
        system: options.system,
        ...(options.stableContext !== undefined ? { stableContext: options.stableContext } : {}),
        messages,
        tools: options.toolSpecs,
        maxOutputTokens: options.maxOutputTokens,
        signal: options.signal,
      },
      {
        ...(options.retryPolicy !== undefined ? { policy: options.retryPolicy } : {}),
        hooks: { onRetry: (notice) => options.onEvent?.({ type: 'retry', attempt: notice.attempt, delayMs: notice.delayMs, reason: notice.error.message }) },
        onEvent: (event) => options.onEvent?.({ type: 'model', event }),
      },
    );
    options.compaction?.observe(turn.usage);
    const cost = costOf(turn.usage, findPrice(options.client.model, options.prices));
    options.budget.record(turn.usage, cost);
    const call: CallRecord = { role: options.role, provider: options.client.provider, model: options.client.model, usage: turn.usage, costUsd: cost };
    options.ledger.record(call);
    options.onUsage?.(call);
    messages.push(turn.message);
    options.onEvent?.({ type: 'turn', text: turn.text });

    if (turn.truncated) {
      messages.push({ role: 'user', content: [{ type: 'text', text: truncationNotice }] });
      continue;
    }
    if (turn.toolCalls.length === 0) {
      if (nudges >= 2) return { kind: 'gave_up', reason: 'the model stopped without finishing its task' };
      nudges += 1;
      messages.push({ role: 'user', content: [{ type: 'text', text: options.nudge }] });
      continue;
    }

    const results: ToolResultPart[] = [];
    let stop = false;
    let looping = false;
    // Sequentially: two edits to the same file in one turn must see each other.
    for (const received of turn.toolCalls) {
      let result: ToolResult;
      if (!received.ok) result = { isError: true, content: received.error };
      else if (options.signal.aborted) result = { isError: true, content: 'The run was cancelled; the call did not run.' };
      else result = await invokeTool(options.tools, received.call.name, received.input, options.context);
      options.onEvent?.({ type: 'tool', name: received.call.name, input: received.ok ? received.input : undefined, result });
      const verdict = detector.observe(received.call.name, received.call.rawArguments, result);
      if (verdict === 'stop') looping = true;
      const content = verdict === 'warn' ? `${result.content}\n\n${loopWarning}` : result.content;
      results.push({ type: 'tool_result', toolCallId: received.call.id, content, isError: result.isError });
      if (result.stop === true) stop = true;
    }
    messages.push({ role: 'user', content: results });
    if (stop) return { kind: 'stopped_by_tool' };
    if (looping) return { kind: 'gave_up', reason: 'the model repeated the same call or error too many times' };
  }
  return { kind: 'gave_up', reason: `the model did not finish within ${options.maxTurns} turns` };
}
