import * as z from 'zod';

/** Code intelligence the VS Code client offers the engine from the editor's language servers. */
export const symbolQuerySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('workspaceSymbols'), query: z.string().min(1).max(200) }),
  z.strictObject({
    kind: z.literal('references'),
    /** Workspace-relative path. */
    path: z.string().min(1),
    /** 1-based, as read_file shows them. */
    line: z.number().int().positive(),
    /** The symbol's name on that line, located by the client. */
    symbol: z.string().min(1).max(200),
  }),
]);
export type SymbolQuery = z.infer<typeof symbolQuerySchema>;

export const symbolLocationSchema = z.object({
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  line: z.number().int().positive(),
  container: z.string().optional(),
});
export type SymbolLocation = z.infer<typeof symbolLocationSchema>;

export const symbolResultSchema = z.object({ locations: z.array(symbolLocationSchema), truncated: z.boolean() });
