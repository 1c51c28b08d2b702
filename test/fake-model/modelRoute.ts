/**
 * The model-request pipeline shared by both wires: parse the request, pick
 * the role and turn, decide the fault, account the prompt cache, plan the
 * response and hand it to the emitter in the provider's encoding.
 */
import type { PromptCacheSim } from './cacheSim.js';
import { sendJson, sendJsonNow, sendStream, type Exchange } from './emitter.js';
import {
  errorResponse,
  invalidRequest,
  isHttpFault,
  isStreamFault,
  streamErrorFrame,
  type ErrorResponse,
  type Fault,
  type FaultQueue,
  type ResponseFault,
} from './faults.js';
import { anthropicEvents, anthropicMessage } from './anthropicWire.js';
import { parseAnthropicRequest } from './anthropicRequest.js';
import { openaiChunks, openaiCompletion } from './openaiWire.js';
import { parseOpenAIRequest } from './openaiRequest.js';
import { buildPlan } from './plan.js';
import type { RecordedRequest } from './recorder.js';
import { ROLE_HEADER, type TurnSelector } from './selector.js';
import type { Provider } from './types.js';

export interface ModelState {
  selector: TurnSelector;
  faults: FaultQueue;
  cache: PromptCacheSim;
}

function sendError(ex: Exchange, base: Record<string, string>, err: ErrorResponse): void {
  sendJsonNow(ex, err.status, { ...base, ...err.headers }, err.body);
}

type TerminalFault = Exclude<Fault, ResponseFault>;

/** Faults that replace the response entirely (as opposed to shaping it). */
function isTerminal(fault: Fault): fault is TerminalFault {
  return fault.type === 'connection_reset' || isHttpFault(fault);
}

function applyTerminalFault(ex: Exchange, provider: Provider, fault: TerminalFault, base: Record<string, string>, requestId: string): void {
  if (fault.type === 'connection_reset') ex.destroy(true);
  else sendError(ex, base, errorResponse(provider, fault, requestId));
}

export async function handleModelRequest(
  provider: Provider,
  ex: Exchange,
  record: RecordedRequest,
  state: ModelState,
): Promise<void> {
  const requestId = `req_fake_${record.seq}`;
  const base: Record<string, string> = provider === 'openai' ? { 'x-request-id': requestId } : { 'request-id': requestId };
  record.provider = provider;

  const roleHeader = record.headers[ROLE_HEADER] ?? null;
  const parsed = provider === 'openai' ? parseOpenAIRequest(record.body, roleHeader) : parseAnthropicRequest(record.body, roleHeader);
  if (!parsed.ok) {
    sendError(ex, base, invalidRequest(provider, parsed.message, requestId));
    return;
  }
  const req = parsed.request;
  record.stream = req.stream;

  const role = state.selector.resolveRole(req);
  record.role = role;
  // Injected faults go first and do not consume a scripted turn, so that the
  // client's retry receives the turn the scenario meant for it.
  const injected = state.faults.take(role);
  record.fault = injected?.type ?? null;
  if (injected !== null && isTerminal(injected)) {
    applyTerminalFault(ex, provider, injected, base, requestId);
    return;
  }

  const selected = state.selector.select(role, injected === null);
  record.turn = selected.ok ? selected.selection.turn : selected.turn;
  if (!selected.ok) {
    sendError(ex, base, invalidRequest(provider, selected.message, requestId));
    return;
  }
  const { response, turn } = selected.selection;
  const fault = injected ?? response.fault ?? null;
  record.fault = fault?.type ?? null;
  if (fault !== null && isTerminal(fault)) {
    applyTerminalFault(ex, provider, fault, base, requestId);
    return;
  }

  const headers = { ...base, 'x-fake-role': role ?? '', 'x-fake-turn': String(turn) };
  // A JSON response has no channel for an in-band error, so it becomes an HTTP error.
  if (fault?.type === 'stream_error' && !req.stream) {
    sendError(ex, headers, errorResponse(provider, { type: fault.kind, message: fault.message }, requestId));
    return;
  }

  const plan = buildPlan({
    request: req,
    response,
    fault,
    cache: state.cache.account(provider, req.model, req.promptSegments),
    seq: record.seq,
  });
  const scenario = state.selector.current;
  const ttftMs = response.ttftMs ?? scenario.latency.ttftMs ?? 0;
  const tokensPerSecond = response.tokensPerSecond ?? scenario.latency.tokensPerSecond ?? null;
  const streamFault = isStreamFault(fault) ? fault : null;

  if (!req.stream) {
    const body = provider === 'openai' ? openaiCompletion(plan) : anthropicMessage(plan);
    const generationMs = tokensPerSecond === null ? 0 : (plan.usage.outputTokens / tokensPerSecond) * 1000;
    await sendJson(ex, headers, body, { delayMs: ttftMs + generationMs, fault: streamFault });
    return;
  }
  const frames =
    provider === 'openai' ? openaiChunks(plan, scenario.chunkChars, req.includeUsage) : anthropicEvents(plan, scenario.chunkChars);
  const errorFrame = streamFault?.type === 'stream_error' ? streamErrorFrame(provider, streamFault, requestId) : null;
  await sendStream(ex, headers, frames, { ttftMs, tokensPerSecond, fault: streamFault, errorFrame });
}
