import * as z from 'zod';
import { defineRequest } from './method';
import { serverStatusSchema } from './status';

/**
 * The table of custom `plumbline/*` LSP methods: one constant per method, with its direction and the
 * zod schemas of what crosses the process boundary. Server, extension and CLI all import from here,
 * so a method's name and shape are written down exactly once.
 */

/** client → server: the agent server's identity and environment (used by the sidebar and `plumbline doctor`). */
export const statusRequest = defineRequest(
  'plumbline/status',
  'clientToServer',
  z.object({}).strict(),
  serverStatusSchema,
);

export const pingResultSchema = z.object({
  provider: z.enum(['openai', 'anthropic', 'vscode-lm']),
  model: z.string(),
  baseUrl: z.string().nullable(),
  roles: z.array(z.enum(['orchestrator', 'worker'])),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  error: z.string().optional(),
});
export type PingResult = z.infer<typeof pingResultSchema>;

/** client → server: a one-token call to each configured model (`plumbline doctor --ping`). */
export const pingModelsRequest = defineRequest(
  'plumbline/models/ping',
  'clientToServer',
  z.object({}).strict(),
  z.object({ results: z.array(pingResultSchema) }),
);

/** Every custom method, for documentation and for tests that check the table is consistent. */
export const allMethods = [statusRequest, pingModelsRequest] as const;
