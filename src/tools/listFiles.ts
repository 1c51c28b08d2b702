import * as z from 'zod';
import { defineTool } from './defineTool';
import type { ExploreContext } from './toolContexts';

const limit = 400;

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List files in the workspace (ignored files excluded). Narrow with a folder path (relative to the workspace root) and/or a glob over workspace-relative paths such as "src/**/*.ts".',
  input: z
    .object({
      path: z.string().optional(),
      glob: z.string().optional(),
    })
    .strict(),
  async run(input, context: ExploreContext) {
    const result = await context.workspace.listFiles({
      limit,
      ...(input.path !== undefined ? { path: input.path } : {}),
      ...(input.glob !== undefined ? { glob: input.glob } : {}),
    });
    if (result.paths.length === 0) return { isError: false, content: 'No files match.' };
    const more = result.truncated ? `\n(only the first ${limit} are shown; narrow with path or glob)` : '';
    return { isError: false, content: `${result.paths.join('\n')}${more}` };
  },
});
