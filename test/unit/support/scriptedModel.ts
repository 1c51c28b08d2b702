/**
 * A ModelClient that replays scripted turns, for in-process tests of the engine: no server, no
 * SDK. The orchestrator's turns are taken in order across its requests (planning, then each
 * re-plan); each step's worker has its own queue, picked by the `<step id="…">` of its brief, so
 * parallel workers never take each other's turns. A turn may wait (`before`) for something the
 * test controls, and gives up with a cancellation when the request's signal aborts.
 */
import type { ModelClient, ModelEvent, ModelRequest, ModelRole } from '../../../src/agent/model/modelTypes';

export interface ScriptedCall {
  readonly tool: string;
  readonly args: unknown;
}

export interface ScriptedTurn {
  readonly text?: string;
  readonly calls?: readonly ScriptedCall[];
  /** Awaited before the turn answers (a barrier, a held turn); the request's signal is passed. */
  readonly before?: (signal: AbortSignal) => Promise<void>;
}

export interface ModelScript {
  readonly orchestrator: readonly ScriptedTurn[];
  /** By step id. */
  readonly workers?: Readonly<Record<string, readonly ScriptedTurn[]>>;
  /** The reviewer's turns by step id (all of a step's reviews, in order), `run` for the review of the whole run. */
  readonly reviewers?: Readonly<Record<string, readonly ScriptedTurn[]>>;
}

export interface RecordedModelRequest {
  /** `orchestrator`, `worker-<step id>`, `reviewer-<step id>` or `reviewer-run`. */
  readonly conversation: string;
  /** The client's model: a worker's retry may have escalated to another. */
  readonly model: string;
  readonly request: ModelRequest;
  readonly arrivedAt: number;
  completedAt?: number;
}

/** Shorthand for a turn that makes tool calls. */
export function calls(...made: [tool: string, args: unknown][]): ScriptedTurn {
  return { calls: made.map(([tool, args]) => ({ tool, args })) };
}

/** Shorthand for a worker's `finish`. */
export function finish(summary: string, blocked = false): ScriptedTurn {
  return calls(['finish', blocked ? { summary, blocked } : { summary }]);
}

export class ScriptedModel {
  readonly requests: RecordedModelRequest[] = [];
  /** Conversations that asked for more turns than the script has. */
  readonly exhausted: string[] = [];
  readonly #taken = new Map<string, number>();
  #ids = 0;

  constructor(private readonly script: ModelScript) {}

  client(role: ModelRole): ModelClient {
    const model = `scripted-${role}`;
    return { provider: 'openai', model, stream: (request) => this.#stream(model, request) };
  }

  /** The requests of one conversation (`orchestrator`, `worker-s1`), in order. */
  of(conversation: string): RecordedModelRequest[] {
    return this.requests.filter((request) => request.conversation === conversation);
  }

  /** Conversations are told apart by their opening brief, not by the client's role: a worker's retry may run on the orchestrator's model. */
  async *#stream(model: string, request: ModelRequest): AsyncIterable<ModelEvent> {
    const conversation = conversationOf(request);
    const recorded: RecordedModelRequest = { conversation, model, request, arrivedAt: performance.now() };
    this.requests.push(recorded);
    const turns = conversation === 'orchestrator' ? this.script.orchestrator : conversation.startsWith('worker-') ? (this.script.workers?.[conversation.slice('worker-'.length)] ?? []) : (this.script.reviewers?.[conversation.slice('reviewer-'.length)] ?? []);
    const index = this.#taken.get(conversation) ?? 0;
    this.#taken.set(conversation, index + 1);
    const turn = turns[index];
    if (turn === undefined) {
      // Said in words, not thrown: an error could be retried; this ends in the loop's own give-up.
      this.exhausted.push(conversation);
      yield { type: 'text', delta: '(the script has no more turns)' };
      yield { type: 'stop', reason: 'end_turn' };
      recorded.completedAt = performance.now();
      return;
    }
    await turn.before?.(request.signal);
    // Yield to the event loop as a real stream would, so parallel workers interleave.
    await new Promise((resolve) => setImmediate(resolve));
    if (request.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (turn.text !== undefined) yield { type: 'text', delta: turn.text };
    for (const call of turn.calls ?? []) {
      yield { type: 'tool_call', call: { type: 'tool_call', id: `call_${++this.#ids}`, name: call.tool, rawArguments: JSON.stringify(call.args) } };
    }
    yield { type: 'usage', usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 } };
    yield { type: 'stop', reason: (turn.calls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn' };
    recorded.completedAt = performance.now();
  }
}

/** Whose conversation a request continues, from the brief that opens it: a step's worker, a reviewer, or the orchestrator. */
function conversationOf(request: ModelRequest): string {
  const first = request.messages[0];
  const text = first?.content.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';
  const step = /<step id="([^"]+)">/.exec(text)?.[1];
  if (step !== undefined) return `worker-${step}`;
  const review = /^<review (?:step="([^"]+)"|run="whole")/.exec(text);
  if (review !== null) return `reviewer-${review[1] ?? 'run'}`;
  return 'orchestrator';
}

/** Resolves when `signal` aborts: a turn held until the test cancels the run. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
