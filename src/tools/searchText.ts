import * as z from 'zod';
import { wrapData } from './dataText';
import { defineTool } from './defineTool';
import type { ExploreContext } from './toolContexts';

const limit = 200;

export const searchTextTool = defineTool({
  name: 'search_text',
  description: 'Search file contents. Literal, case-insensitive text, or a JavaScript regular expression with regex: true. Narrow with a glob.',
  input: z
    .object({
      query: z.string().min(1),
      glob: z.string().optional(),
      regex: z.boolean().optional(),
    })
    .strict(),
  async run(input, context: ExploreContext) {
    const result = await context.workspace.searchText(input.query, {
      limit,
      ...(input.glob !== undefined ? { glob: input.glob } : {}),
      ...(input.regex !== undefined ? { regex: input.regex } : {}),
    });
    if (result.matches.length === 0) return { isError: false, content: 'No matches.' };
    const lines = result.matches.map((match) => `${match.path}:${match.line}: ${match.text}`);
    const more = result.truncated ? `\n(only the first ${limit} matches are shown; narrow the query or glob)` : '';
    return { isError: false, content: `${wrapData('search-results', lines.join('\n'))}${more}` };
  },
});
