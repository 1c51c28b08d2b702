import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * How user files are written: to a temporary file beside the target, flushed to disk, then renamed
 * over it, so a file is always either its old or its new self. The operations are a port so tests
 * can make the Nth temp write, fsync or rename fail (ENOSPC) and prove that nothing is half-written
 * and no temporary file is left behind.
 */
export interface FileWriter {
  /** Creates `path` (which must not exist) holding `bytes`, with the given mode if any. */
  writeNew(path: string, bytes: Uint8Array, mode: number | undefined): Promise<void>;
  /** Flushes `path`'s content to the disk. */
  sync(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  makeFolder(path: string): Promise<void>;
  /** The permission bits of an existing file (kept across the rename), or undefined. */
  modeOf(path: string): Promise<number | undefined>;
}

export const diskWriter: FileWriter = {
  async writeNew(path, bytes, mode) {
    const handle = await open(path, 'wx', mode ?? 0o666);
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    // open's mode is filtered by the umask; an existing file's mode is restored exactly.
    if (mode !== undefined) await chmod(path, mode);
  },
  async sync(path) {
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  makeFolder: async (path) => {
    await mkdir(path, { recursive: true });
  },
  modeOf: (path) => stat(path).then((entry) => entry.mode & 0o7777, () => undefined),
};

/** Replaces `absolute` with `bytes` atomically; on any failure the temporary file is removed. */
export async function writeAtomically(writer: FileWriter, absolute: string, bytes: Uint8Array): Promise<void> {
  await writer.makeFolder(dirname(absolute));
  const temporary = `${absolute}.plumbline-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writer.writeNew(temporary, bytes, await writer.modeOf(absolute));
    await writer.sync(temporary);
    await writer.rename(temporary, absolute);
  } catch (error) {
    await writer.remove(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes temporary files a killed process left beside `absolutes` (a SIGKILL between the temp
 * write and the rename leaves one; nothing else can clean it up). Only names this module makes are
 * touched: `<file>.plumbline-<8 hex>.tmp`. Returns what was removed.
 */
export async function sweepTemporaries(absolutes: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const absolute of absolutes) {
    const prefix = `${basename(absolute)}.plumbline-`;
    const entries = await readdir(dirname(absolute)).catch(() => [] as string[]);
    for (const name of entries) {
      if (!name.startsWith(prefix) || !/^[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length))) continue;
      await rm(join(dirname(absolute), name), { force: true });
      removed.push(join(dirname(absolute), name));
    }
  }
  return removed;
}

/** The errno code of an error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

const diskProblems: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EIO: 'the disk reported an input/output error',
  EACCES: 'permission was denied',
  EPERM: 'the operation was not permitted',
};

/**
 * Applying approved changes stopped part-way. Each file is either fully old or fully new (never
 * half-written); `landed` were written, `pending` were not. The run's journal still holds every
 * change, so it can be resumed to land the rest, and its checkpoint undoes what landed.
 */
export class ApplyInterruptedError extends Error {
  constructor(
    readonly failedPath: string,
    readonly landed: readonly string[],
    readonly pending: readonly string[],
    override readonly cause: unknown,
  ) {
    const code = errnoCode(cause);
    const problem = code !== undefined && code in diskProblems ? `${diskProblems[code] ?? ''} (${code})` : cause instanceof Error ? cause.message : String(cause);
    super(
      `Applying the changes stopped at ${failedPath}: ${problem}. ` +
        `${landed.length} of ${landed.length + pending.length} file(s) were written${landed.length > 0 ? ` (${landed.join(', ')})` : ''}; ` +
        `${pending.join(', ')} ${pending.length === 1 ? 'is' : 'are'} unchanged. Every file is either as it was or fully updated, never half-written.`,
    );
    this.name = 'ApplyInterruptedError';
  }
}
