/** Small helpers shared by the fake model server tests. */
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { FakeModelServer } from '../fake-model/index.js';

// `__dirname` exists while the package builds to CommonJS; fall back to the
// repo root as cwd (how the test command is run) if it ever becomes ESM.
const here = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'unit');
export const SCENARIO_FIXTURES = join(here, '..', 'fixtures', 'scenarios');
export const FAKE_MODEL_DIR = join(here, '..', 'fake-model');

export function openaiClient(server: FakeModelServer, maxRetries = 0): OpenAI {
  return new OpenAI({ apiKey: 'test', baseURL: server.openaiBaseUrl, maxRetries });
}

export function anthropicClient(server: FakeModelServer, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: 'test', baseURL: server.anthropicBaseUrl, maxRetries });
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Runs `fn` and returns its result with the elapsed wall time in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Captures the rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
