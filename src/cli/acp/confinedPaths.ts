import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Paths from an ACP client, or from a model's words, kept inside the session's folder. The client
 * is untrusted input: `..`, absolute paths elsewhere, `file:` URLs of other hosts and symbolic links
 * that lead out are all refused.
 */

/** Longest path accepted from a client. */
export const maxPathChars = 4096;

/** `path` (workspace-relative or absolute) as an absolute path inside `root`, or undefined when it would leave it (by its text). */
export function insideRoot(root: string, path: string): string | undefined {
  if (path === '' || path.length > maxPathChars || path.includes('\0')) return undefined;
  const absolute = resolve(root, path);
  const fromRoot = relative(root, absolute);
  if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) return undefined;
  return absolute;
}

/** The workspace-relative form (with `/`) of an absolute path inside `root`. */
export function relativeToRoot(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}

/** A `file:` URI's path inside `root`, or undefined (another scheme, another host, outside). */
export function fileUriInsideRoot(root: string, uri: string): string | undefined {
  if (!uri.startsWith('file:') || uri.length > maxPathChars * 3) return undefined;
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    return undefined;
  }
  return insideRoot(root, path);
}

/**
 * Checks that writing `absolute` stays inside `root` on disk too: its nearest existing ancestor,
 * links followed, is inside the real root, and the file itself is not a symbolic link.
 */
export async function confinedOnDisk(root: string, absolute: string): Promise<boolean> {
  const realRoot = await realpath(root);
  try {
    if ((await lstat(absolute)).isSymbolicLink()) return false;
  } catch {
    // Not there yet: a new file, judged by its folder.
  }
  let ancestor = dirname(absolute);
  for (;;) {
    try {
      const real = await realpath(ancestor);
      return real === realRoot || real.startsWith(`${realRoot}${sep}`);
    } catch {
      const parent = dirname(ancestor);
      if (parent === ancestor) return false;
      ancestor = parent;
    }
  }
}
