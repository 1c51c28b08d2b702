import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Maps a test runner's failure location to a file of the workspace folder. Tests run in an
 * isolated copy (`…/plumbline-verify-<pid>-<id>/…`, for a git worktree followed by the folder's
 * path inside the repository), so an absolute path there is mapped back; a relative path is taken
 * from the folder, where the tests ran. Anything that lands outside the folder, or on no file of it
 * (`node:internal/…` frames), is dropped; `exists` also decides between candidates when the copy
 * holds the folder below the repository's top.
 */
export function mapTestLocation(file: string, workspaceRoot: string, exists: (absolute: string) => boolean): string | undefined {
  let path = file.trim();
  if (path === '') return undefined;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return undefined;
    }
  }
  const root = resolve(workspaceRoot);
  const copy = /[\\/]plumbline-verify-\d+-[A-Za-z0-9]+(?:[\\/](.*))?$/.exec(path);
  if (copy !== null) return fromCopy((copy[1] ?? '').split(/[\\/]/).filter((segment) => segment !== ''), root, exists);
  const absolute = isAbsolute(path) ? resolve(path) : resolve(root, path);
  return inside(root, absolute) && exists(absolute) ? absolute : undefined;
}

/** The copy's relative path as is, else without leading segments (the repository's prefix), first that exists. */
function fromCopy(segments: readonly string[], root: string, exists: (absolute: string) => boolean): string | undefined {
  if (segments.length === 0) return undefined;
  const candidates = segments.map((_segment, index) => resolve(root, ...segments.slice(index))).filter((candidate) => inside(root, candidate));
  return candidates.find((candidate) => exists(candidate));
}

function inside(root: string, absolute: string): boolean {
  const rel = relative(root, absolute);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
