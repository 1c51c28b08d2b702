import * as z from 'zod';

/**
 * What a message to `@plumbline` asks for. A slash command says it outright; otherwise a short
 * follow-up about the run this chat started ("run it", "cancel", "why did step 2 fail?") is read
 * as one, and anything else is a new task. Pure, so the unit tier proves the reading.
 */
export type ChatIntent =
  | { readonly kind: 'task'; readonly task: string }
  | { readonly kind: 'approve' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'status' }
  | { readonly kind: 'review' }
  | { readonly kind: 'explain'; readonly step: string | undefined };

/** The participant's slash commands (package.json `chatParticipants[].commands`). */
export const chatCommands = ['approve', 'cancel', 'status', 'review', 'why'] as const;

const approveWords = /^(?:(?:ok(?:ay)?|yes|sure|please|go ahead(?: and)?)[,.!\s]+)*(?:run(?: it| the plan| that)?|approve(?: it| the plan)?|go(?: ahead)?|start(?: it)?|proceed|continue|lgtm|ship it)[.!\s]*$/i;
const cancelWords = /^(?:(?:please)[,\s]+)?(?:cancel|stop|abort|kill)(?: it| the run| that)?[.!\s]*$/i;
const statusWords = /^(?:status|progress|how(?:'s| is) it going|where are (?:we|you)|what(?:'s| is) happening)\??[.!\s]*$/i;
const reviewWords = /^(?:(?:open|show)(?: me)?(?: the)? (?:review|changes|diff)|review(?: it)?)[.!\s]*$/i;
/** "why did step 2 fail", "why did s2 fail?", "why did it fail", "what went wrong with step 3". */
const explainWords = /^(?:why did (?:it|(?:step\s*)?([a-z0-9][a-z0-9_-]*)) fail|what went wrong(?: with (?:step\s*)?([a-z0-9][a-z0-9_-]*))?)\??[.!\s]*$/i;

/** The intent of one request: `command` is the slash command VS Code parsed, `prompt` the rest. */
export function intentOf(command: string | undefined, prompt: string): ChatIntent {
  const text = prompt.trim();
  switch (command) {
    case 'approve':
      return { kind: 'approve' };
    case 'cancel':
      return { kind: 'cancel' };
    case 'status':
      return { kind: 'status' };
    case 'review':
      return { kind: 'review' };
    case 'why': {
      const reference = /^(?:step\s*)?([a-z0-9][a-z0-9_-]*)/i.exec(text)?.[1];
      return { kind: 'explain', step: reference };
    }
    default:
      break;
  }
  if (approveWords.test(text)) return { kind: 'approve' };
  if (cancelWords.test(text)) return { kind: 'cancel' };
  if (statusWords.test(text)) return { kind: 'status' };
  if (reviewWords.test(text)) return { kind: 'review' };
  const explain = explainWords.exec(text);
  if (explain !== null) return { kind: 'explain', step: explain[1] ?? explain[2] };
  return { kind: 'task', task: text };
}

/** What the participant keeps in a chat result, so the next request in the chat knows its run. */
export const chatResultMetadataSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  stop: z.enum(['approval', 'review', 'finished', 'watching']),
});
export type ChatResultMetadata = z.infer<typeof chatResultMetadataSchema>;

/** A turn of `context.history`, as much of it as the run's lookup reads. */
export interface HistoryTurn {
  readonly participant: string;
  readonly result?: { readonly metadata?: unknown };
}

/**
 * The run this chat last talked about: the newest of the participant's answers whose metadata
 * names one. Metadata is read back through its schema (it round-trips through the workbench).
 */
export function runOfHistory(history: readonly HistoryTurn[], participantId: string): ChatResultMetadata | undefined {
  for (let index = history.length - 1; index >= 0; index -= 1) {
    const turn = history[index];
    if (turn?.participant !== participantId || turn.result === undefined) continue;
    const parsed = chatResultMetadataSchema.safeParse(turn.result.metadata);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}
