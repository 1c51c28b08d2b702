/**
 * The `/_fake/` control API, so a test or demo driving the server from
 * another process (the standalone CLI) can inspect and steer it over HTTP.
 * Control requests are not recorded: they are not traffic under test.
 */
import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import { FaultSchema, type Fault } from './faults.js';
import { ScenarioError } from './scenario.js';

/** What the control API needs from the server. */
export interface ControlTarget {
  requests(): unknown[];
  reset(): void;
  setScenario(value: unknown, source: string): void;
  injectFault(fault: Fault, count: number, role: string | null): void;
  state(): unknown;
}

export const InjectSchema = z
  .object({
    fault: FaultSchema,
    count: z.number().int().min(1).default(1),
    role: z.string().min(1).nullable().default(null),
  })
  .strict();

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: text === '' ? {} : (JSON.parse(text) as unknown) };
  } catch {
    return { ok: false };
  }
}

interface Answer {
  status: number;
  body: unknown;
}

function answer(route: string, bodyText: string, target: ControlTarget): Answer {
  if (route === 'GET /_fake/requests') return { status: 200, body: { requests: target.requests() } };
  if (route === 'GET /_fake/state') return { status: 200, body: target.state() };
  if (route === 'POST /_fake/reset') {
    target.reset();
    return { status: 200, body: { ok: true } };
  }
  const body = parseJson(bodyText);
  if (!body.ok) return { status: 400, body: { error: { message: `fake-model: ${route} needs a JSON body` } } };
  if (route === 'POST /_fake/scenario') {
    try {
      target.setScenario(body.value, 'POST /_fake/scenario');
    } catch (e) {
      if (e instanceof ScenarioError) return { status: 400, body: { error: { message: e.message } } };
      throw e;
    }
    return { status: 200, body: { ok: true } };
  }
  if (route === 'POST /_fake/fault') {
    const parsed = InjectSchema.safeParse(body.value);
    if (!parsed.success) {
      return { status: 400, body: { error: { message: `fake-model: invalid fault injection:\n${z.prettifyError(parsed.error)}` } } };
    }
    target.injectFault(parsed.data.fault, parsed.data.count, parsed.data.role);
    return { status: 200, body: { ok: true } };
  }
  return { status: 404, body: { error: { message: `fake-model: unknown control route ${route}` } } };
}

/** Handles one control request; `route` is "METHOD /path" without the query. */
export function handleControl(route: string, bodyText: string, res: ServerResponse, target: ControlTarget): void {
  const { status, body } = answer(route, bodyText, target);
  reply(res, status, body);
}
