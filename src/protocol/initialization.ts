import * as z from 'zod';

/**
 * `initializationOptions` a Plumbline client sends with `initialize`. Other LSP clients send
 * nothing, which parses to the defaults.
 */
export const initializationOptionsSchema = z
  .object({
    /**
     * Which kind of client this is: the VS Code extension can run `vscode.lm` models for the server;
     * `acp` is `plumbline acp` bridging an ACP editor: like VS Code it lands approved changes through
     * `workspace/applyEdit` (carried out with the editor's `fs/write_text_file`), so the editor sees them.
     */
    host: z.enum(['vscode', 'cli', 'acp', 'other']).default('other'),
    /**
     * VS Code's workspace trust. In Restricted Mode (`false`) the server starts no run and runs no
     * command or test. Clients without a notion of trust (the CLI: the user ran it on purpose) send nothing.
     */
    workspaceTrusted: z.boolean().default(true),
    /**
     * `plumbline run --mcp-config FILE` (the CLI only): an absolute path to a file in the `.mcp.json`
     * shape. Its servers are the user's own, so they start without the approval a workspace's need.
     */
    mcpConfigFile: z.string().min(1).max(4096).optional(),
  })
  .default({ host: 'other', workspaceTrusted: true });
export type InitializationOptions = z.infer<typeof initializationOptionsSchema>;
