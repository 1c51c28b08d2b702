import * as z from 'zod';
import { defineTool } from './defineTool';
import { ownedPath } from './ownership';
import type { WorkerContext } from './toolContexts';

export const createFileTool = defineTool({
  name: 'create_file',
  description: 'Create a new file your step owns, with its full content. Fails if the file exists: use edit_file to change an existing file.',
  input: z.object({ path: z.string().min(1), content: z.string() }).strict(),
  async run(input, context: WorkerContext) {
    const owned = await ownedPath(context, input.path);
    if ('refusal' in owned) return owned.refusal;
    return context.createFile(owned.path, input.content);
  },
});
