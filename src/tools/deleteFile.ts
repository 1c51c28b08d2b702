import * as z from 'zod';
import { defineTool } from './defineTool';
import { ownedPath } from './ownership';
import type { WorkerContext } from './toolContexts';

export const deleteFileTool = defineTool({
  name: 'delete_file',
  description: 'Delete a file your step owns.',
  input: z.object({ path: z.string().min(1) }).strict(),
  async run(input, context: WorkerContext) {
    const owned = await ownedPath(context, input.path);
    if ('refusal' in owned) return owned.refusal;
    return context.deleteFile(owned.path);
  },
});
