import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Tools' caches in a verification copy (`node_modules/.cache`, `.vite`, `.vitest`), kept warm
 * across a run's test runs without letting one run's writes reach another's verdict.
 *
 * A cache is code's opinion of code: an ESLint cache says a file was clean, a Jest or Babel cache
 * holds the transformed source a test will execute. One written by model-written code could say
 * anything, so no run ever reads a cache another run of unreviewed code wrote. Instead:
 * - the cache folders are the harness's, like the step's files: emptied before every run and
 *   after it, and left out of the copy's tamper check (what a run writes there is thrown away);
 * - the only cache a run may start from is the *seed*: what the baseline's run wrote, on the
 *   unmodified tree (the user's own code), sandboxed, with empty caches, untampered. Each later run
 *   gets a fresh copy of it (cloned where the file system can), never the seed itself, which lives
 *   outside every copy, where no sandboxed run can reach.
 * Tools that key their cache by content, path and modification time (ESLint's default) find their
 * entries for the files a step did not change: copies keep the workspace's modification times and,
 * in the sandbox, are seen at one path (bubblewrap.ts).
 */

/** Past these a seed is not kept (the run goes on with empty caches): copying it before every run must stay cheap. */
export const MAX_SEED_BYTES = 256 * 1024 * 1024;
export const MAX_SEED_ENTRIES = 20_000;

/**
 * Whether every folder above `folder` (relative, forward slashes) inside `root` is a real folder:
 * a run may have swapped one for a link (say the copy's `node_modules` for a link to the user's),
 * and the harness, which is not sandboxed, must never write, copy or delete through it.
 */
async function reachable(root: string, folder: string): Promise<boolean> {
  let current = root;
  for (const segment of folder.split('/').slice(0, -1)) {
    current = join(current, segment);
    const info = await lstat(current).catch(() => undefined);
    if (info === undefined || info.isSymbolicLink() || !info.isDirectory()) return false;
  }
  return true;
}

/**
 * Removes each of `folders` (relative to `root`) and makes the ones in `keep` again, empty. Throws
 * when a folder above one is not a real folder any more: then the copy must be discarded.
 */
export async function emptyCacheFolders(root: string, folders: readonly string[], keep: ReadonlySet<string>): Promise<void> {
  for (const folder of folders) {
    if (!(await reachable(root, folder))) throw new Error(`${join(root, folder)} lies behind a link or a file: the copy was changed.`);
    // A cache folder replaced by a link is removed here (rm removes a link, never its target).
    await rm(join(root, folder), { recursive: true, force: true });
    if (keep.has(folder)) await mkdir(join(root, folder));
  }
}

interface Budget {
  bytes: number;
  entries: number;
}

/**
 * Copies a folder's regular files and folders (never links, sockets or devices), cloning where the
 * file system can, within `budget`; false when the budget ran out (the copy is then incomplete).
 */
async function copyTree(from: string, to: string, budget: Budget, readOnly: boolean): Promise<boolean> {
  const info = await lstat(from).catch(() => undefined);
  if (info === undefined) return true;
  if (info.isFile()) {
    budget.bytes -= info.size;
    budget.entries -= 1;
    if (budget.bytes < 0 || budget.entries < 0) return false;
    await copyFile(from, to, constants.COPYFILE_FICLONE);
    // The seed's own files cannot be changed by mistake; a laid copy is the run's to write.
    await chmod(to, readOnly ? info.mode & 0o555 : (info.mode & 0o777) | 0o200);
    return true;
  }
  if (!info.isDirectory()) return true;
  budget.entries -= 1;
  if (budget.entries < 0) return false;
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    if (!(await copyTree(join(from, name), join(to, name), budget, readOnly))) return false;
  }
  return true;
}

/**
 * Copies the cache folders a run left in a copy into `seed` (a fresh folder outside every copy).
 * False when they are empty, or too big to be worth it: then `seed` must be removed.
 */
export async function captureSeed(root: string, folders: readonly string[], seed: string): Promise<boolean> {
  const budget: Budget = { bytes: MAX_SEED_BYTES, entries: MAX_SEED_ENTRIES };
  await mkdir(seed, { recursive: true, mode: 0o700 });
  for (const folder of folders) {
    if (!(await reachable(root, folder))) return false;
    if (!(await copyTree(join(root, folder), join(seed, folder), budget, true))) return false;
  }
  return (await readdir(seed)).length > 0;
}

/**
 * Copies a whole seed folder (one kept beside a baseline, or about to be) into `to`, within the
 * seed's limits, its files read-only; false when it is missing or too big (then `to` is unusable).
 */
export async function copySeed(from: string, to: string): Promise<boolean> {
  if ((await lstat(from).catch(() => undefined))?.isDirectory() !== true) return false;
  return copyTree(from, to, { bytes: MAX_SEED_BYTES, entries: MAX_SEED_ENTRIES }, true);
}

/** Gives the copy at `root` a fresh copy of the seed's cache folders (each one emptied first). */
export async function laySeed(seed: string, root: string, folders: readonly string[], keep: ReadonlySet<string>): Promise<void> {
  await emptyCacheFolders(root, folders, keep);
  const budget: Budget = { bytes: Number.POSITIVE_INFINITY, entries: Number.POSITIVE_INFINITY };
  for (const folder of folders) await copyTree(join(seed, folder), join(root, folder), budget, false);
}

/** Removes a seed (or captured caches nobody adopted). */
export async function removeSeed(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
}
