import * as z from 'zod';

/**
 * `initializationOptions` a Plumbline client sends with `initialize`. Other LSP clients send
 * nothing, which parses to the defaults.
 */
export const initializationOptionsSchema = z
  .object({
    /** Which kind of client this is: the VS Code extension can run `vscode.lm` models for the server. */
    host: z.enum(['vscode', 'cli', 'other']).default('other'),
    /**
     * VS Code's workspace trust. In Restricted Mode (`false`) the server starts no run and runs no
     * command or test. Clients without a notion of trust (the CLI: the user ran it on purpose) send nothing.
     */
    workspaceTrusted: z.boolean().default(true),
  })
  .default({ host: 'other', workspaceTrusted: true });
export type InitializationOptions = z.infer<typeof initializationOptionsSchema>;
