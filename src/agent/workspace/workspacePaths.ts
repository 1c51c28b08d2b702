import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative as relativeBetween, resolve, sep } from 'node:path';
import { foldName, invisibleCharacter, mixesLookalikeScripts } from './pathLookalikes';
import { secretFileKind, type SecretFile } from './secretPaths';
import { WorkspacePathError } from '../../tools/workspacePort';

/**
 * The single place that confines model-supplied paths to the workspace. Everything that reads or
 * stages a file goes through `resolveWorkspacePath`, so a refusal here is a refusal everywhere.
 */

export interface ResolvedPath {
  /** Workspace-relative, forward slashes, no `.`/`..` segments: the key every other part uses. */
  readonly relative: string;
  readonly absolute: string;
}

export interface ResolveOptions {
  /** Also refuse folders, paths through a file, and symbolic links (a write must land where it says). */
  readonly forWrite?: boolean;
  /** Accept a path naming the root itself (`.`, `./`); relative is then ''. For listing folders. */
  readonly allowRoot?: boolean;
}

const example = 'like src/index.ts';
const printableAscii = /^[\x20-\x7e]*$/;

/**
 * `.git` in any case, plus the spellings Windows and macOS map onto it: trailing dots/spaces,
 * NTFS streams (`.git::$INDEX_ALLOCATION`) and the 8.3 short name `GIT~1`. Checked always, not only
 * on case-insensitive systems, because a workspace may be shared with one.
 */
function isGitName(segment: string): boolean {
  return /^\.git[. ]*(?::.*)?$/i.test(segment) || /^git~\d+$/i.test(segment);
}

/** Splits on both separators and folds `.`/`..`; undefined when `..` climbs above the root. */
function normalise(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const segment of path.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.pop() === undefined) return undefined;
      continue;
    }
    segments.push(segment);
  }
  return segments;
}

function refuse(message: string): never {
  throw new WorkspacePathError(message);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function isInside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Checks the syntax of a path without touching the disk; returns its normalised segments. */
export function checkPathSyntax(path: string, options: ResolveOptions = {}): string[] {
  if (path.length === 0) refuse(`The path is empty; give a workspace-relative path, ${example}.`);
  if (path.includes('\0')) refuse(`${JSON.stringify(path)} contains a NUL byte; give a plain workspace-relative path, ${example}.`);
  // A drive letter or UNC prefix means a Windows absolute path even when we run on POSIX, where
  // `C:` would be a legal name: accepting it would make the same request mean different files.
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || /^[\\/]/.test(path)) {
    refuse(`${path} is an absolute path; use a path relative to the workspace root, ${example}.`);
  }
  if (/^~(?:[\\/]|$)/.test(path)) refuse(`${path} points into a home folder; use a path relative to the workspace root, ${example}.`);
  const segments = normalise(path);
  if (segments === undefined) refuse(`${path} is outside the workspace; use a path inside it, ${example}.`);
  if (segments.length === 0 && options.allowRoot !== true) {
    refuse(`${path} is the workspace root, not a file; give a file path, ${example}.`);
  }
  if (segments.some(isGitName)) refuse(`${path} is inside .git, which is off limits; use a path outside .git, ${example}.`);
  for (const segment of segments) {
    // Printable ASCII has no invisible characters or look-alikes (and .git in any case was refused
    // above): the Unicode checks below are for everything else.
    if (printableAscii.test(segment)) continue;
    const hidden = invisibleCharacter(segment);
    if (hidden !== undefined) {
      refuse(`${JSON.stringify(path)} contains an invisible character (${hidden}: a control, zero-width or bidirectional character) that hides what the name really is; use plain visible characters, ${example}.`);
    }
    if (isGitName(foldName(segment))) {
      refuse(`${JSON.stringify(path)} spells .git with look-alike characters (fullwidth, Cyrillic or Greek letters); .git is off limits, and look-alike names are refused.`);
    }
    if (mixesLookalikeScripts(segment)) {
      refuse(`${JSON.stringify(path)} mixes Latin letters with Cyrillic or Greek look-alikes in ${JSON.stringify(segment)}, so it reads as a different name than it is; spell it in one script, ${example}.`);
    }
  }
  return segments;
}

/** The real location of the deepest existing ancestor of `absolute`, and how many segments lie below it. */
async function realAncestor(root: string, segments: readonly string[], display: string): Promise<{ real: string; depth: number; ancestorIsFile: boolean }> {
  for (let depth = segments.length; depth >= 0; depth -= 1) {
    const candidate = join(root, ...segments.slice(0, depth));
    try {
      const real = await realpath(candidate);
      const ancestorIsFile = depth < segments.length && !(await stat(real)).isDirectory();
      return { real, depth, ancestorIsFile };
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      // A link whose target is missing still exists: writing through it could create a file
      // anywhere, so refuse it rather than walk past it.
      const linked = await lstat(candidate).then((entry) => entry.isSymbolicLink(), () => false);
      if (linked) refuse(`${display} goes through a symbolic link whose target does not exist; use a path inside the workspace, ${example}.`);
    }
  }
  return refuse(`The workspace root ${root} does not exist.`);
}

/**
 * Refuses to create a name beside an existing one that differs only in case or Unicode form
 * (`SRC/a.js` when `src/` exists, `café.md` in NFD beside `café.md` in NFC, `ｒｅａｄｍｅ.md` beside
 * `README.md`). On a case-sensitive disk they would be two files that look like one (and collide
 * when the repository is checked out on macOS or Windows); on a case-insensitive disk the realpath
 * above has already mapped the name onto the existing file, so nothing reaches here. Refusing (not
 * quietly mapping) tells the model the name that exists, and never writes a surprise twin.
 */
async function refuseTwin(parentReal: string, segments: readonly string[], depth: number, display: string): Promise<void> {
  const created = segments[depth];
  if (created === undefined) return;
  const folded = foldName(created);
  const siblings = await readdir(parentReal).catch(() => [] as string[]);
  const twin = siblings.find((name) => name !== created && foldName(name) === folded);
  if (twin === undefined) return;
  const existing = [...segments.slice(0, depth), twin].join('/');
  refuse(`${display} would create ${JSON.stringify(created)} beside ${existing}, which differs only in letter case or Unicode form; use the existing name (${existing}) or a clearly different one.`);
}

/**
 * Confines `path` to `root`: workspace-relative with `/` or `\`, no absolute paths, no escapes,
 * nothing in `.git`, and — after resolving symbolic links on the deepest existing ancestor —
 * nothing whose real location is outside the root. Throws WorkspacePathError with advice a model
 * can act on.
 */
export async function resolveWorkspacePath(root: string, path: string, options: ResolveOptions = {}): Promise<ResolvedPath> {
  const segments = checkPathSyntax(path, options);
  const absoluteRoot = resolve(root);
  const display = segments.join('/') || '.';
  const rootReal = await realpath(absoluteRoot).catch(() => refuse(`The workspace root ${absoluteRoot} does not exist.`));
  const ancestor = await realAncestor(absoluteRoot, segments, display);
  if (!isInside(rootReal, ancestor.real)) {
    refuse(`${display} resolves (through a symbolic link) to ${ancestor.real}, outside the workspace; use a path inside it, ${example}.`);
  }
  const realSegments = toSlashes(relativeBetween(rootReal, ancestor.real)).split('/').filter((segment) => segment !== '');
  if (realSegments.some(isGitName)) refuse(`${display} resolves (through a symbolic link) into .git, which is off limits.`);

  const requested = segments.slice(0, ancestor.depth);
  // Case and Unicode normalisation (macOS may hand back NFD for an NFC request) are not links.
  const fold = (segment: string | undefined): string | undefined => segment?.normalize('NFC').toLowerCase();
  const sameButCase = requested.length === realSegments.length && requested.every((segment, index) => fold(segment) === fold(realSegments[index]));
  const linked = !sameButCase;
  if (options.forWrite === true) {
    if (linked) refuse(`${display} goes through a symbolic link (to ${realSegments.join('/') || '.'}); write the real path instead.`);
    if (ancestor.ancestorIsFile) refuse(`${display} goes through ${requested.join('/')}, which is a file, not a folder.`);
    if (ancestor.depth === segments.length && segments.length > 0 && (await stat(ancestor.real)).isDirectory()) {
      refuse(`${display} is a folder; give a file path inside it.`);
    }
  }
  if (options.forWrite === true && ancestor.depth < segments.length) await refuseTwin(ancestor.real, segments, ancestor.depth, display);
  // On a case-insensitive disk `SRC/A.ts` and `src/a.ts` are one file; use the disk's spelling so
  // ownership checks and staged changes see one key. Through a link, keep the name that was asked for.
  const relativeSegments = linked ? segments : [...realSegments, ...segments.slice(ancestor.depth)];
  const relative = relativeSegments.join('/');
  return { relative, absolute: relative === '' ? absoluteRoot : join(absoluteRoot, ...relativeSegments) };
}

/** The workspace-relative, forward-slash form of an absolute path; throws if it is outside the root. */
export function toRelative(root: string, absolute: string): string {
  const between = relativeBetween(resolve(root), resolve(absolute));
  if (between === '') return '';
  if (between === '..' || between.startsWith(`..${sep}`) || isAbsolute(between)) {
    refuse(`${absolute} is outside the workspace ${root}.`);
  }
  return toSlashes(between);
}

/** Whether the file at `path` holds secrets, by its own name or, through symbolic links, its target's. */
export async function secretFileAt(root: string, path: string): Promise<SecretFile | undefined> {
  const named = secretFileKind(path);
  if (named !== undefined) return { kind: named };
  const real = await realpath(join(root, path)).catch(() => undefined);
  if (real === undefined) return undefined;
  const target = relativeBetween(await realpath(root).catch(() => root), real).split(sep).join('/');
  if (target === path) return undefined;
  const kind = secretFileKind(target);
  return kind === undefined ? undefined : { kind, linkTo: target };
}
