import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';

/**
 * Where a path a command names really leads. Commands run in a throw-away copy whose symbolic links
 * are recreated pointing at the same places (isolationCopy.ts: a link that points outside the
 * workspace still points outside in the copy), so following the links in the user's workspace
 * tells where a write or read in the copy lands. Used by the command policy through the
 * `resolvePath` option, which keeps the policy itself free of file system access.
 */

/** One symbolic link the path went through. */
export interface LinkHop {
  /** The link: relative to the workspace root (forward slashes) when it is inside it, else absolute. */
  readonly path: string;
  /** What it points at, made absolute (not itself resolved). */
  readonly target: string;
}

export interface ResolvedPath {
  /** Where the path leads: every existing part with its links followed, the part that does not exist yet appended. */
  readonly real: string;
  /** The same relative to the workspace root (forward slashes, '' for the root), or undefined when it is outside. */
  readonly inside: string | undefined;
  /** The links followed, in order (empty when none). */
  readonly links: readonly LinkHop[];
  /** The link to name when the path leads outside: the first pointing outside the workspace, else the first followed. */
  readonly through: LinkHop | undefined;
}

/** Resolves a path relative to the workspace root (or to a folder in it); undefined when it cannot (a loop of links). */
export type PathResolver = (path: string) => ResolvedPath | undefined;

const maxHops = 40;

function segments(path: string): string[] {
  return path.split(process.platform === 'win32' ? /[\\/]/ : '/');
}

function insideOf(root: string, path: string): string | undefined {
  const rest = relative(root, path);
  if (rest === '') return '';
  if (rest === '..' || rest.startsWith(`..${sep}`) || isAbsolute(rest)) return undefined;
  return rest.split(sep).join('/');
}

/** Follows `path` from `realRoot` one part at a time, as the kernel would (`..` after a link goes up from where the link leads). */
function follow(realRoot: string, path: string): ResolvedPath | undefined {
  const start = parse(path).root;
  const pending = segments(path.slice(start.length));
  let current = start === '' ? realRoot : start;
  const links: LinkHop[] = [];
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    let link = false;
    try {
      link = lstatSync(next).isSymbolicLink();
    } catch {
      // Not there (yet): a write creates it here, and the rest below it.
      current = resolve(next, ...pending);
      break;
    }
    if (!link) {
      current = next;
      continue;
    }
    if (links.length >= maxHops) return undefined;
    let value: string;
    try {
      value = readlinkSync(next);
    } catch {
      return undefined;
    }
    links.push({ path: insideOf(realRoot, next) ?? next, target: resolve(current, value) });
    // A dangling link is followed too: writing through it creates its target.
    const top = parse(value).root;
    pending.unshift(...segments(value.slice(top.length)));
    if (top !== '') current = top;
  }
  const through = links.find((hop) => insideOf(realRoot, hop.target) === undefined) ?? links[0];
  return { real: current, inside: insideOf(realRoot, current), links, through };
}

/** A resolver for paths relative to `root` (the user's workspace folder), following its symbolic links. */
export function workspacePathResolver(root: string): PathResolver {
  let realRoot: string;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    return () => undefined;
  }
  return (path) => follow(realRoot, path);
}
