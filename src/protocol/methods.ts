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

/** Every custom method, for documentation and for tests that check the table is consistent. */
export const allMethods = [statusRequest] as const;
