import type { ModelClient, ModelRole } from '../model/modelTypes';
import type { LoopEvent } from './agentLoop';
import { isMcpToolName } from '../mcp/mcpNames';
import type { RunContext } from './runContext';
import type { WorkerLoopOptions } from './worker';
import { contextWindowOf } from '../model/contextWindows';
import { addNote } from '../plan/planState';
import { ConversationCompactor, triggerShare, type CompactionReport } from './compaction';

/** A compaction, never silent: the transcript (and `--json`) gets the event, the plan a note. */
async function noteCompaction(ctx: RunContext, role: ModelRole, stepId: string | undefined, report: CompactionReport): Promise<void> {
  ctx.host.emit({ type: 'model/compacted', runId: ctx.options.runId, role, ...(stepId !== undefined ? { stepId } : {}), ...report });
  const who = stepId ?? role;
  const text =
    report.afterTokens > Math.floor(report.contextWindow * triggerShare)
      ? `${who}'s conversation did not fit ${report.model}'s context window (${String(report.contextWindow)} tokens) even after compaction: ~${String(report.afterTokens)} tokens.`
      : `${who}'s conversation was compacted to fit ${report.model}'s context window (${String(report.contextWindow)} tokens): ~${String(report.beforeTokens)} → ~${String(report.afterTokens)} tokens, ${String(report.summarized)} old tool results and arguments replaced by summaries.`;
  if (ctx.plan.value !== undefined) await ctx.plan.update(addNote(ctx.plan.current(), text));
}

/** The summary a terminal tool was called with (finish, submit_plan), or nothing. */
function closingWords(input: unknown): string {
  return typeof input === 'object' && input !== null && 'summary' in input && typeof input.summary === 'string' ? input.summary : '';
}

/** A review reads a few files and submits: more turns than this is a reviewer that will not end. */
const reviewerMaxTurns = 12;

/**
 * The options of one agent loop (the orchestrator's, or a step's worker's) in this run: its model,
 * the run's budget, ledger and signal, and the translation of what the loop reports into the
 * run's events for the client. `onRequest` hears each request go out (the lifecycle starts work
 * it held back until the first one is on its way). Its own room because both the lifecycle and
 * the scheduler start loops, and a loop's events must read the same whoever started it.
 */
export function loopOptions(ctx: RunContext, role: ModelRole, extras: { readonly stepId?: string; readonly onRequest?: () => void; readonly client?: ModelClient } = {}): WorkerLoopOptions {
  const { runId } = ctx.options;
  const step = extras.stepId !== undefined ? { stepId: extras.stepId } : {};
  const client = extras.client ?? (role === 'reviewer' ? (ctx.host.clients.reviewer ?? ctx.host.clients.orchestrator) : ctx.host.clients[role]);
  const onRequest = extras.onRequest;
  return {
    client:
      onRequest !== undefined
        ? {
            provider: client.provider,
            model: client.model,
            stream: (request) => {
              // The SDK sends the request within this turn of the event loop.
              setImmediate(onRequest);
              return client.stream(request);
            },
          }
        : client,
    maxOutputTokens: ctx.options.maxOutputTokens,
    maxTurns: role === 'orchestrator' ? 40 : role === 'reviewer' ? reviewerMaxTurns : 30,
    budget: ctx.budget,
    ledger: ctx.ledger,
    prices: ctx.options.prices,
    signal: ctx.workSignal,
    compaction: new ConversationCompactor((model) => contextWindowOf(model, ctx.options.contextWindows?.[role])),
    askUser: async (question, choices) => {
      const outcome = await ctx.questions.ask({ ...step, kind: 'question', question, choices });
      return outcome.kind === 'answered' ? outcome.answer : undefined;
    },
    onEvent: (event: LoopEvent) => {
      if (event.type === 'model' && event.event.type === 'text') ctx.host.emit({ type: 'model/text', runId, role, ...step, delta: event.event.delta });
      else if (event.type === 'tool') {
        // An MCP tool acts outside the run's review: its arguments and more of its result are shown.
        const mcp = isMcpToolName(event.name);
        const input = mcp ? { input: JSON.stringify(event.input ?? null).slice(0, 2000) } : {};
        ctx.host.emit({ type: 'tool/result', runId, role, ...step, tool: event.name, ok: !event.result.isError, detail: event.result.content.slice(0, mcp ? 2000 : 500), ...pathOf(event.input), ...input });
      }
      else if (event.type === 'retry') ctx.host.emit({ type: 'model/retry', runId, role, ...step, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
      // After an unanswered question, the model's next words (or its closing summary) are its assumption, kept in the plan.
      if (event.type === 'compacted') void noteCompaction(ctx, role, extras.stepId, event.report).catch(() => undefined);
      if (event.type === 'turn') void ctx.questions.recordAssumption(extras.stepId, event.text).catch(() => undefined);
      else if (event.type === 'tool' && (event.name === 'finish' || event.name === 'submit_plan')) void ctx.questions.recordAssumption(extras.stepId, closingWords(event.input)).catch(() => undefined);
    },
  };
}

/** The file a tool call named (`path` in read_file, edit_file, create_file…), for clients that follow the run file by file. */
function pathOf(input: unknown): { path?: string } {
  if (typeof input !== 'object' || input === null || !('path' in input)) return {};
  const { path } = input;
  return typeof path === 'string' && path !== '' && path.length <= 1000 ? { path } : {};
}
