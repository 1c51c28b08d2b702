import type { WorkerContext } from './toolContexts';

/**
 * The files a patch's headers name (`*** Update File: x`, or a unified diff's `+++ b/x`), with the
 * patch line that names them. /dev/null (a created or deleted file) is left to the patch parser,
 * which says which tool does that.
 */
export function patchHeaderPaths(patch: string): { readonly line: number; readonly path: string }[] {
  const lines = patch.split(/\r\n|\r|\n/);
  const found: { line: number; path: string }[] = [];
  lines.forEach((line, at) => {
    const update = /^\s*\*\*\* Update File:\s*(.*?)\s*$/.exec(line);
    if (update !== null) found.push({ line: at + 1, path: unquote(update[1] ?? '') });
    else if (line.startsWith('+++ ') && lines[at - 1]?.startsWith('--- ') === true) found.push({ line: at + 1, path: unquote(line.slice(4).split('\t')[0] ?? '') });
  });
  return found.filter((header) => header.path !== '' && header.path !== '/dev/null');
}

/**
 * Why the patch may not be applied to `path` (the workspace-relative file the call names), or
 * undefined: a header naming another file means the model meant another file.
 */
export async function headerMismatch(context: WorkerContext, patch: string, path: string): Promise<string | undefined> {
  for (const header of patchHeaderPaths(patch)) {
    // git's a/ and b/ prefixes are not part of the name, unless the file really is there.
    const candidates = [header.path, header.path.replace(/^[ab]\//, '')];
    const resolved = await Promise.all(candidates.map((candidate) => context.normalizePath(candidate)));
    if (resolved.some((name) => name === path)) continue;
    return (
      `Refused: the patch's header on patch line ${header.line} names ${JSON.stringify(header.path)}, but path is ${JSON.stringify(path)}; nothing was written. ` +
      'One edit_file call changes the file its path names: remove the header, or send the patch with that file\'s path.'
    );
  }
  return undefined;
}

function unquote(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 1 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}
