import * as z from 'zod';
import { defineTool } from './defineTool';
import { ownedPath } from './ownership';
import type { WorkerContext } from './toolContexts';

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Edit a file your step owns with search/replace blocks. Each old_text must match the file exactly once (copy it from read_file without the line-number prefix, ' +
    'with enough surrounding lines to be unique). Blocks are independent: order does not matter and one failing block does not stop the others.',
  input: z
    .object({
      path: z.string().min(1),
      edits: z
        .array(z.object({ old_text: z.string(), new_text: z.string() }).strict())
        .min(1)
        .max(50),
    })
    .strict(),
  async run(input, context: WorkerContext) {
    const owned = await ownedPath(context, input.path);
    if ('refusal' in owned) return owned.refusal;
    return context.editFile(
      owned.path,
      input.edits.map((edit) => ({ oldText: edit.old_text, newText: edit.new_text })),
    );
  },
});
