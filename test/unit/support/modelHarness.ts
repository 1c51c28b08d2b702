/** Shared set-up for the model-layer tests: real SDK clients pointed at the fake model server. */
import assert from 'node:assert/strict';
import net from 'node:net';
import * as z from 'zod';
import { startFakeModelServer, type FakeModelServer, type RecordedRequest, type ScenarioInput } from '../../fake-model/index.js';
import { createAnthropicClient, type AnthropicClientOptions } from '../../../src/agent/model/anthropicClient';
import { ModelError } from '../../../src/agent/model/modelErrors';
import type { ModelClient, ModelMessage, ModelRequest, UserMessage } from '../../../src/agent/model/modelTypes';
import { createOpenAiClient, type OpenAiClientOptions } from '../../../src/agent/model/openaiClient';
import type { RetryPolicy } from '../../../src/agent/model/resilientStream';
import { defineTool, toToolSpec, type ToolSpec } from '../../../src/tools/defineTool';

export type Wire = 'openai' | 'anthropic';
export const WIRES: readonly Wire[] = ['openai', 'anthropic'];

/** Distinctive, so a test can prove it never shows up in an error. Shaped like a real key. */
export const FAKE_KEY = 'sk-plumbline-test-QX7v93KDm2LeakCanary';

export type Turn = ScenarioInput['roles'][string]['turns'][number];

export function scenario(turns: Turn[], name = 'model-test'): ScenarioInput {
  return { name, roles: { default: { turns } } };
}

export function startServer(input: ScenarioInput | string = scenario(['Hello.'])): Promise<FakeModelServer> {
  return startFakeModelServer({ scenario: input });
}

export function openaiFor(server: FakeModelServer, extra: Partial<OpenAiClientOptions> = {}): ModelClient {
  return createOpenAiClient({ apiKey: FAKE_KEY, model: 'gpt-fake', baseUrl: server.openaiBaseUrl, requestTimeoutMs: 10_000, ...extra });
}

export function anthropicFor(server: FakeModelServer, extra: Partial<AnthropicClientOptions> = {}): ModelClient {
  return createAnthropicClient({ apiKey: FAKE_KEY, model: 'claude-fake', baseUrl: server.anthropicBaseUrl, requestTimeoutMs: 10_000, ...extra });
}

export function clientFor(wire: Wire, server: FakeModelServer): ModelClient {
  return wire === 'openai' ? openaiFor(server) : anthropicFor(server);
}

export const readFileTool: ToolSpec = toToolSpec(
  defineTool({
    name: 'read_file',
    description: 'Reads a file of the workspace.',
    input: z.object({ path: z.string() }).strict(),
    run: () => Promise.resolve({ isError: false, content: '' }),
  }),
);

export const writeFileTool: ToolSpec = toToolSpec(
  defineTool({
    name: 'write_file',
    description: 'Writes a file of the workspace.',
    input: z.object({ path: z.string(), content: z.string() }).strict(),
    run: () => Promise.resolve({ isError: false, content: '' }),
  }),
);

export const TOOLS: readonly ToolSpec[] = [readFileTool, writeFileTool];

export function userText(text: string): UserMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}

export function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  const messages: ModelMessage[] = [userText('Hi.')];
  return {
    system: 'You are a careful test model.',
    messages,
    tools: TOOLS,
    maxOutputTokens: 1024,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Fast retries so fault tests take milliseconds; the idle timeout is long unless a test shortens it. */
export const fastPolicy: RetryPolicy = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 5_000, idleTimeoutMs: 5_000 };

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The ModelError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the model call to fail, but it succeeded');
}

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed JSON body of a recorded request. */
export function bodyOf(recorded: RecordedRequest | undefined): Json {
  assert.ok(recorded !== undefined, 'no such recorded request');
  assert.ok(isJson(recorded.body), 'recorded body is not a JSON object');
  return recorded.body;
}

export function arrayAt(value: Json, key: string): unknown[] {
  const found = value[key];
  assert.ok(Array.isArray(found), `${key} is not an array`);
  return found as unknown[];
}

/** Model calls only (the SDKs make no other requests here, but be explicit). */
export function modelRequests(server: FakeModelServer): RecordedRequest[] {
  return server.requests().filter((r) => r.path.includes('/chat/completions') || r.path.endsWith('/v1/messages'));
}

export async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A loopback port nothing listens on: bound, then closed (another process could take it in between; on a test machine none does). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no TCP address for a loopback server');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}
