import * as z from 'zod';

/** Which sandbox confines tests and commands on this machine, as `plumbline/status` reports it. */
export const sandboxStatusSchema = z.object({
  kind: z.enum(['bubblewrap', 'seatbelt', 'none']),
  /** "bubblewrap 0.8.0 (Linux namespaces)", or why there is none. */
  detail: z.string(),
  /** Where there is none: how to get one. */
  remedy: z.string().optional(),
});
export type SandboxStatus = z.infer<typeof sandboxStatusSchema>;

/** Where there is no sandbox, what a run does with changes nobody has reviewed yet. */
export const unsandboxedChoiceSchema = z.enum(['run', 'review-first']);

/** server → client: asked once per run where there is no sandbox. */
export const sandboxConsentParamsSchema = z.object({ runId: z.string(), reason: z.string(), remedy: z.string() });
export type SandboxConsentParams = z.infer<typeof sandboxConsentParamsSchema>;
/** `run`: run the tests unconfined this run; `review-first`: verify only after the user's review; `cancel`: stop the run. */
export const sandboxConsentResultSchema = z.object({ decision: z.enum(['run', 'review-first', 'cancel']) });
