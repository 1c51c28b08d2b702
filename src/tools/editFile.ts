import * as z from 'zod';
import { defineTool } from './defineTool';
import { ownedPath } from './ownership';
import { headerMismatch } from './patchHeaders';
import type { WorkerContext } from './toolContexts';

/** Far above any real edit (a whole 2,000-line file is ~80,000 characters); a guard, not a budget. */
export const maxPatchLength = 200_000;

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Edit a file your step owns with patch hunks. Lines start with " " (unchanged context), "-" (remove) or "+" (add); "@@" starts the next hunk. ' +
    'Copy context and "-" lines exactly from read_file, enough to match one place. ' +
    'Hunks apply independently, in any order. Example: "@@\\n function f() {\\n-  return 1;\\n+  return 2;"',
  input: z
    .object({
      path: z.string().min(1),
      patch: z.string().min(1).max(maxPatchLength, `a patch is at most ${maxPatchLength.toLocaleString('en')} characters: split the edit over several calls`),
    })
    .strict(),
  async run(input, context: WorkerContext) {
    const owned = await ownedPath(context, input.path);
    if ('refusal' in owned) return owned.refusal;
    const mismatch = await headerMismatch(context, input.patch, owned.path);
    if (mismatch !== undefined) return { isError: true, content: mismatch };
    return context.editFile(owned.path, input.patch);
  },
});
