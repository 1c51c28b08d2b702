import { readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

/** Creating, changing or removing an isolated copy failed, or a path was refused. */
export class IsolationError extends Error {
  override readonly name = 'IsolationError';
}

/**
 * Folders linked into a copy instead of copied: dependency and build caches that are big, derived
 * from the sources, and the same for every copy. Tests run in the copy read (and may write) them.
 */
export const defaultLinkFolders: readonly string[] = [
  'node_modules', 'bower_components', 'jspm_packages', '.pnpm-store', '.yarn',
  '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache',
  'target', 'vendor', '.gradle', '.dart_tool', 'Pods', 'elm-stuff', '.stack-work', 'dist-newstyle',
  '.turbo', '.nx', '.parcel-cache',
];

/** Copies are named `plumbline-verify-<pid>-<random>` so a later process can tell whose they were. */
export const isolationPrefix = 'plumbline-verify-';
const isolationName = /^plumbline-verify-(\d+)-[A-Za-z0-9]+$/;

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** `.git` in any case and the spellings Windows and macOS map onto it (see workspacePaths.ts). */
function isGitName(segment: string): boolean {
  return /^\.git[. ]*(?::.*)?$/i.test(segment) || /^git~\d+$/i.test(segment);
}

/**
 * A workspace-relative path as forward-slash segments, or an IsolationError: absolute paths, `..`,
 * `.git` and (on Windows) stream or drive syntax are refused, never folded.
 */
export function checkRelativePath(path: string): string {
  if (path.includes('\0')) throw new IsolationError(`Refused a path with a NUL character: ${JSON.stringify(path)}`);
  if (/^[\\/]/.test(path) || /^[a-zA-Z]:/.test(path)) throw new IsolationError(`Refused an absolute path: ${path}`);
  const segments = path.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0) throw new IsolationError(`Refused an empty path: ${JSON.stringify(path)}`);
  for (const segment of segments) {
    if (segment === '..') throw new IsolationError(`Refused a path that climbs with '..': ${path}`);
    if (isGitName(segment)) throw new IsolationError(`Refused a path inside .git: ${path}`);
    if (process.platform === 'win32' && segment.includes(':')) throw new IsolationError(`Refused a path with ':': ${path}`);
  }
  return segments.join('/');
}

/** The pid a copy's folder name records, or undefined when the name is not one of ours. */
export function isolationPid(name: string): number | undefined {
  const match = isolationName.exec(basename(name));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Whether a process with this id is still running (one we may not signal counts as running). A
 * zombie does not: it has exited and only waits to be reaped, and an agent server killed together
 * with its parent (the CLI, the editor) may wait long for that, or for ever under an init that does
 * not reap orphans (a container's PID 1). Its run lock and its verification copies are free.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // pid (comm) state …: comm may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export function defaultScratchDir(): string {
  return join(tmpdir(), 'plumbline-verify');
}

/**
 * A fresh, empty, private folder for one copy, named after this process. The default parent lives
 * in the shared temp folder, so it must be ours: another user's could be swapped under us.
 */
export async function createScratch(scratchDir: string | undefined): Promise<string> {
  const parent = resolve(scratchDir ?? defaultScratchDir());
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const info = await lstat(parent);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (scratchDir === undefined && uid !== undefined && info.uid !== uid)) {
    throw new IsolationError(`${parent} is not a folder this user owns; pass scratchDir to put copies elsewhere.`);
  }
  return realpath(await mkdtemp(join(parent, `${isolationPrefix}${String(process.pid)}-`)));
}
