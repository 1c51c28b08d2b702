import * as z from 'zod';
import { defineTool } from './defineTool';
import type { ExploreContext } from './toolContexts';

function format(locations: readonly { name: string; kind: string; path: string; line: number; container?: string | undefined }[], truncated: boolean): string {
  if (locations.length === 0) return 'Nothing found.';
  const lines = locations.map((l) => `${l.path}:${l.line}: ${l.kind} ${l.name}${l.container !== undefined && l.container !== '' ? ` (in ${l.container})` : ''}`);
  return `${lines.join('\n')}${truncated ? '\n(more not shown; narrow the query)' : ''}`;
}

const unavailable = { isError: true, content: 'Code intelligence is only available when Plumbline runs in VS Code; use search_text.' } as const;

export const findSymbolsTool = defineTool({
  name: 'find_symbols',
  description: "Find definitions by name with the editor's language servers (classes, functions, variables). More precise than search_text for code.",
  input: z.object({ query: z.string().min(1).max(200) }).strict(),
  async run(input, context: ExploreContext) {
    if (context.symbols === undefined) return unavailable;
    const result = await context.symbols.query({ kind: 'workspaceSymbols', query: input.query });
    return { isError: false, content: format(result.locations, result.truncated) };
  },
});

export const findReferencesTool = defineTool({
  name: 'find_references',
  description: "Find every reference to a symbol with the editor's language servers: give the file, the 1-based line where the symbol appears, and its name.",
  input: z.object({ path: z.string().min(1), line: z.number().int().positive(), symbol: z.string().min(1).max(200) }).strict(),
  async run(input, context: ExploreContext) {
    if (context.symbols === undefined) return unavailable;
    const result = await context.symbols.query({ kind: 'references', path: input.path, line: input.line, symbol: input.symbol });
    return { isError: false, content: format(result.locations, result.truncated) };
  },
});
