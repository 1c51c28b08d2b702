import * as z from 'zod';
import { defineTool } from './defineTool';
import type { ExploreContext } from './toolContexts';

const limit = 400;

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List files in the workspace (ignored files excluded). Narrow with a folder path and/or a glob such as "src/**/*.ts".',
  input: z
    .object({
      path: z.string().optional().describe('Folder to list, relative to the workspace root'),
      glob: z.string().optional().describe('Glob matched against workspace-relative paths'),
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
