import * as z from 'zod';
import { hiddenToWrite, revealHidden } from './dataText';
import { defineTool } from './defineTool';
import { ownedPath } from './ownership';
import type { WorkerContext } from './toolContexts';

export const createFileTool = defineTool({
  name: 'create_file',
  description: 'Create a new file your step owns, with its full content (fails if it exists: use edit_file).',
  input: z.object({ path: z.string().min(1), content: z.string() }).strict(),
  async run(input, context: WorkerContext) {
    const owned = await ownedPath(context, input.path);
    if ('refusal' in owned) return owned.refusal;
    const hidden = hiddenToWrite(input.content);
    if (hidden.length > 0) return { isError: true, content: hiddenRefusal(owned.path, input.content, hidden) };
    return context.createFile(owned.path, input.content);
  },
});

/** Names each hidden character, and shows the line that holds the first one with all of them made visible. */
function hiddenRefusal(path: string, content: string, hidden: readonly string[]): string {
  const code = Number.parseInt((hidden[0] ?? '').slice(3, -1), 16);
  const offset = content.indexOf(String.fromCodePoint(code), code === 0xfeff ? 1 : 0);
  const before = content.slice(0, offset);
  const lineNumber = before.split(/\r\n|\r|\n/).length;
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  const lineEnd = content.slice(offset).search(/[\r\n]/);
  const line = content.slice(Math.max(lineStart, offset - 100), lineEnd === -1 ? Math.min(content.length, offset + 100) : Math.min(offset + lineEnd, offset + 100));
  return (
    `Refused: the content for ${path} holds characters that are invisible or reorder text: ${hidden.join(' ')} (the first on line ${lineNumber}: ${JSON.stringify(revealHidden(line).text)}); nothing was written. ` +
    'Leave them out, or write an escape sequence (such as \\u202E) where the code needs one.'
  );
}
