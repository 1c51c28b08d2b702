import * as z from 'zod';

/**
 * The sidebar webview's message protocol. The webview says `ready`; the host answers with a full
 * `snapshot` and then sends updates. Webview requests carry an id and get exactly one `response`.
 * Both directions are validated with zod on arrival: a webview is untrusted content.
 */

export const serverPhaseSchema = z.enum(['starting', 'ready', 'restarting', 'stopped', 'failed']);
export type ServerPhase = z.infer<typeof serverPhaseSchema>;

/** The agent server as the user should see it. */
export const serverViewSchema = z.object({
  phase: serverPhaseSchema,
  version: z.string().nullable(),
  /** Why the server is in this phase, for `restarting`, `stopped` and `failed`. */
  message: z.string().nullable(),
  /** Crashes in the current window; the client gives up after `maxRestarts`. */
  crashes: z.number().int().nonnegative(),
  maxRestarts: z.number().int().positive(),
});
export type ServerView = z.infer<typeof serverViewSchema>;

export const sidebarStateSchema = z.object({
  server: serverViewSchema,
});
export type SidebarState = z.infer<typeof sidebarStateSchema>;

/** Requests the webview may make; each maps to an existing, working command. */
export const webviewRequestMethodSchema = z.enum(['server/restart', 'log/show']);
export type WebviewRequestMethod = z.infer<typeof webviewRequestMethodSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z
    .object({
      type: z.literal('request'),
      id: z.number().int().nonnegative(),
      method: webviewRequestMethodSchema,
    })
    .strict(),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: sidebarStateSchema }),
  z.object({ type: z.literal('server/state'), server: serverViewSchema }),
  z.object({
    type: z.literal('response'),
    id: z.number().int().nonnegative(),
    ok: z.boolean(),
    error: z.string().optional(),
  }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
