import { constants, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readlink, stat, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { listFiles } from './isolationGit';
import { errorCode } from './isolationPaths';

/**
 * Building a copy's files. Regular files are cloned where the file system can (reflinks) and copied
 * otherwise, keeping their mode bits; symbolic links are recreated, never followed; folders named
 * in `linkNames` become links to the user's folder. At most `parallel` file operations at a time.
 */

const parallel = 32;
const windows = process.platform === 'win32';

export interface CopyContext {
  readonly linkNames: ReadonlySet<string>;
  /** The folder being copied and its copy: links pointing inside the one point inside the other. */
  readonly sourceScope: string;
  readonly copyScope: string;
  /** Every link to a user's folder made so far; dispose removes these links, never their targets. */
  readonly links: string[];
  /**
   * The user's dependency folders the copy mirrors entry by entry (`node_modules`): the copy holds
   * a real folder of links to each entry but the tools' cache folders, so a cache a test run
   * writes lands in the copy, never in the user's folder (sandboxed or not).
   */
  readonly shells: string[];
  /** Where the copy's mirrored folders are (the copy's side of `shells`): their cache folders are the harness's (cacheLayers.ts). */
  readonly mirrors: string[];
  /** The mirrored folders' cache folders the user has: the copy keeps an empty one of each. */
  readonly userCaches: string[];
  readonly limit: <T>(run: () => Promise<T>) => Promise<T>;
  readonly made: Map<string, Promise<unknown>>;
}

/** Folders mirrored entry by entry rather than linked whole. */
const SHELL_FOLDERS = new Set(['node_modules']);
/** Entries of a mirrored folder that tools write caches into: the copy gets its own, empty. */
export const mirroredCacheNames: readonly string[] = ['.cache', '.vite', '.vite-temp', '.vitest'];
const SHELL_CACHES: ReadonlySet<string> = new Set(mirroredCacheNames);

function limiter(max: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(run: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to a waiting one, so `active` never overshoots.
    if (active >= max) await new Promise<void>((go) => waiting.push(go));
    else active++;
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next === undefined) active--;
      else next();
    }
  };
}

export function createCopyContext(sourceScope: string, copyScope: string, linkNames: ReadonlySet<string>, links: string[], shells: string[] = [], mirrors: string[] = [], userCaches: string[] = []): CopyContext {
  return { sourceScope, copyScope, linkNames, links, shells, mirrors, userCaches, limit: limiter(parallel), made: new Map() };
}

export function isInside(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}

function ensureFolder(context: CopyContext, folder: string): Promise<unknown> {
  let made = context.made.get(folder);
  if (made === undefined) {
    made = mkdir(folder, { recursive: true });
    context.made.set(folder, made);
  }
  return made;
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

/** A link at `target` to the user's folder `source` (a junction on Windows, which needs no privilege). */
export async function linkFolder(context: CopyContext, source: string, target: string): Promise<void> {
  await ensureFolder(context, dirname(target));
  if (SHELL_FOLDERS.has(basename(source))) {
    await mirrorFolder(context, source, target);
    return;
  }
  await symlink(source, target, windows ? 'junction' : 'dir');
  context.links.push(target);
}

/** A real folder at `target` holding a link to each entry of `source` but its cache folders. */
async function mirrorFolder(context: CopyContext, source: string, target: string): Promise<void> {
  await ensureFolder(context, target);
  context.shells.push(source);
  context.mirrors.push(target);
  const entries = await context.limit(() => readdir(source, { withFileTypes: true }));
  await Promise.all(entries.map(async (entry) => {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (SHELL_CACHES.has(entry.name)) {
      // The copy's own, empty: tools that only use a cache folder that exists find one.
      if (entry.isDirectory()) {
        await context.limit(() => mkdir(to));
        context.userCaches.push(to);
      }
      return;
    }
    const folder = entry.isDirectory() || (entry.isSymbolicLink() && (await isFolder(from)));
    try {
      await context.limit(() => symlink(from, to, folder ? (windows ? 'junction' : 'dir') : 'file'));
    } catch (error) {
      // File links need a privilege on Windows; the content will do.
      if (folder || errorCode(error) !== 'EPERM') throw error;
      await context.limit(() => copyFile(from, to));
      return;
    }
    context.links.push(to);
  }));
}

/**
 * Recreates a symbolic link. One that points inside the copied folder points at the same place in
 * the copy; one that points outside keeps pointing at that place outside (it is not the user's
 * workspace), so configuration shared from a parent folder still resolves.
 */
async function copyLink(context: CopyContext, source: string, target: string): Promise<void> {
  const value = await readlink(source);
  const pointsAt = resolve(dirname(source), value);
  const inCopy = join(context.copyScope, relative(context.sourceScope, pointsAt));
  const inside = isInside(context.sourceScope, pointsAt);
  if (!windows) {
    await symlink(inside ? (isAbsolute(value) ? inCopy : value) : pointsAt, target);
    return;
  }
  const folder = await isFolder(pointsAt);
  try {
    await symlink(inside ? inCopy : pointsAt, target, folder ? 'junction' : 'file');
  } catch (error) {
    // File links need a privilege on Windows; the content will do.
    if (folder || errorCode(error) !== 'EPERM') throw error;
    await copyFile(source, target);
  }
}

async function copyEntry(context: CopyContext, source: string, target: string): Promise<void> {
  const info = await context.limit(() => lstat(source)).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined; // a tracked file the user deleted
    throw error;
  });
  if (info === undefined) return;
  await ensureFolder(context, dirname(target));
  if (info.isSymbolicLink()) await context.limit(() => copyLink(context, source, target));
  else if (info.isDirectory()) await copyNested(context, source, target);
  else if (info.isFile()) await context.limit(() => copyFileWithTime(source, target, info));
  // Sockets, pipes and devices are not project content.
}

/**
 * Copies a file and gives the copy the source's modification time, so tools whose caches compare
 * it (ESLint's default strategy) find a warm cache's entries for files nobody changed. Only when
 * the source did not change while it was copied: bytes newer than their time would let a cache
 * entry for the old bytes pass for the new ones.
 */
async function copyFileWithTime(source: string, target: string, before: Stats): Promise<void> {
  await copyFile(source, target, constants.COPYFILE_FICLONE);
  const after = await stat(source).catch(() => undefined);
  if (after === undefined || after.mtimeMs !== before.mtimeMs || after.size !== before.size || after.ctimeMs !== before.ctimeMs) return;
  await utimes(target, before.atime, before.mtime);
}

function skipped(segment: string): boolean {
  return segment === '.git' || segment === '.plumbline';
}

/** Copies `paths` (relative to `sourceDir`, forward slashes) from `sourceDir` into `targetDir`. */
export async function copyListed(context: CopyContext, sourceDir: string, targetDir: string, paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map(async (listed) => {
    const path = listed.replace(/\/+$/, '');
    if (path === '' || path.split('/').some(skipped)) return;
    await copyEntry(context, join(sourceDir, path), join(targetDir, path));
  }));
}

/** Copies a whole folder, linking folders named in linkNames and skipping .git and .plumbline. */
export async function copyWalk(context: CopyContext, sourceDir: string, targetDir: string): Promise<void> {
  const entries = await context.limit(() => readdir(sourceDir, { withFileTypes: true }));
  await ensureFolder(context, targetDir);
  await Promise.all(entries.map(async (entry) => {
    if (skipped(entry.name)) return;
    const source = join(sourceDir, entry.name);
    const target = join(targetDir, entry.name);
    if (!entry.isDirectory()) await copyEntry(context, source, target);
    else if (context.linkNames.has(entry.name)) await linkFolder(context, source, target);
    else await copyWalk(context, source, target);
  }));
}

/**
 * A folder git listed as one entry: a submodule or a nested repository. Its own git decides what
 * belongs (its .git, which points into the user's repository, is left out); without one, it all does.
 */
async function copyNested(context: CopyContext, source: string, target: string): Promise<void> {
  await ensureFolder(context, target);
  const hasGit = await lstat(join(source, '.git')).then(() => true, () => false);
  const paths = hasGit ? await context.limit(() => listFiles(source, true)).catch(() => undefined) : undefined;
  if (paths === undefined) await copyWalk(context, source, target);
  else await copyListed(context, source, target, paths);
}

/** The folders (relative, forward slashes) that hold some of `paths`, at any depth. */
export function foldersHolding(paths: readonly string[]): Set<string> {
  const folders = new Set<string>();
  for (const path of paths) {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const folder = path.slice(0, end);
      if (folders.has(folder)) break;
      folders.add(folder);
    }
  }
  return folders;
}

/** Links each candidate folder whose name is in linkNames, that exists, and that holds no copied file. */
export async function linkCandidates(context: CopyContext, candidates: Iterable<string>, occupied: ReadonlySet<string>): Promise<void> {
  const seen = new Set<string>();
  for (const folder of candidates) {
    const name = folder.slice(folder.lastIndexOf('/') + 1);
    if (seen.has(folder) || occupied.has(folder) || !context.linkNames.has(name)) continue;
    seen.add(folder);
    const source = join(context.sourceScope, folder);
    if (await isFolder(source)) await linkFolder(context, source, join(context.copyScope, folder));
  }
}
