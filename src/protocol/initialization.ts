import * as z from 'zod';

/**
 * `initializationOptions` a Plumbline client sends with `initialize`. Other LSP clients send
 * nothing, which parses to the defaults.
 */
export const initializationOptionsSchema = z
  .object({
    /** Which kind of client this is: the VS Code extension can run `vscode.lm` models for the server. */
    host: z.enum(['vscode', 'cli', 'other']).default('other'),
  })
  .default({ host: 'other' });
export type InitializationOptions = z.infer<typeof initializationOptionsSchema>;
