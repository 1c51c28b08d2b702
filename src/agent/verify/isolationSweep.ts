import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a test run left in a copy that later verifications reuse. Tests may write in the copy
 * (coverage, snapshots, build output), but a hostile test could also rewrite another test file or
 * the runner's setup there, and every later step would be "verified" against that. So after each
 * run the harness compares the copy with what it was before: files the run added are removed
 * (links are removed, never followed); a file it changed, replaced or deleted that existed before
 * makes the copy unusable, and the next verification gets a fresh one. The change time (ctime)
 * decides, since a test can set a file's modification time back but not its change time.
 */

/** Past this many entries the walk stops and the copy counts as changed (a test that fills the disk). */
const MAX_ENTRIES = 200_000;
const PARALLEL = 32;

interface Entry {
  readonly changedMs: number;
  readonly folder: boolean;
}

export type Snapshot = ReadonlyMap<string, Entry>;

/**
 * Every entry under `root` (relative, forward slashes), not descending into links; undefined when
 * too many. `excluded` paths (the harness's cache folders, emptied around every run) are left out
 * with all they hold.
 */
export async function snapshotFolder(root: string, excluded: ReadonlySet<string> = new Set()): Promise<Map<string, Entry> | undefined> {
  const entries = new Map<string, Entry>();
  let pending = [''];
  while (pending.length > 0) {
    const next: string[] = [];
    for (let start = 0; start < pending.length; start += PARALLEL) {
      await Promise.all(pending.slice(start, start + PARALLEL).map(async (folder) => {
        const listed: Dirent[] = await readdir(join(root, folder), { withFileTypes: true }).catch(() => []);
        await Promise.all(listed.map(async (dirent) => {
          const relative = folder === '' ? dirent.name : `${folder}/${dirent.name}`;
          if (excluded.has(relative)) return;
          const info = await lstat(join(root, relative)).catch(() => undefined);
          if (info === undefined) return;
          entries.set(relative, { changedMs: info.ctimeMs, folder: info.isDirectory() });
          if (info.isDirectory()) next.push(relative);
        }));
      }));
      if (entries.size > MAX_ENTRIES) return undefined;
    }
    pending = next;
  }
  return entries;
}

export interface SweepResult {
  /** A file that was there before was changed, replaced or removed: the copy cannot be trusted. */
  readonly tampered: readonly string[];
  /** What the run added and the sweep removed. */
  readonly removed: readonly string[];
  /** Files of the step's change (written by the harness) that the run changed: what it tested is not what would land. */
  readonly rewritten?: readonly string[];
  /** The copy as it is after the sweep: the next run is compared with this. */
  readonly snapshot: Snapshot | undefined;
}

/** Every path in `paths` and every folder above one. */
function withAncestors(paths: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const path of paths) {
    all.add(path);
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) all.add(path.slice(0, end));
  }
  return all;
}

/**
 * Compares `root` with `before` (the copy as the last sweep, or its creation, left it), removes
 * what the run added, and reports what it changed. `managed` paths are written by the harness
 * itself (a step's changes, put back before every run): neither they nor the folders holding them
 * are the run's doing. `excluded` folders are not looked at: the harness empties them itself.
 */
export async function sweepFolder(root: string, before: Snapshot, managed: Iterable<string>, excluded: ReadonlySet<string> = new Set()): Promise<SweepResult> {
  const after = await snapshotFolder(root, excluded);
  if (after === undefined) return { tampered: ['(too many files to check)'], removed: [], snapshot: undefined };
  const managedFiles = new Set(managed);
  const own = withAncestors(managedFiles);
  const tampered: string[] = [];
  for (const [path, entry] of before) {
    const now = after.get(path);
    if (own.has(path)) {
      // The harness rewrites its own files, but a folder above one must stay a folder: a link in
      // its place would lead the next write somewhere else.
      if (entry.folder && now?.folder !== true && !managedFiles.has(path)) tampered.push(path);
      continue;
    }
    // A folder's own change time moves whenever an entry is added inside it: only its kind counts.
    if (now === undefined || now.folder !== entry.folder || (!entry.folder && now.changedMs !== entry.changedMs)) tampered.push(path);
  }
  const added = [...after.keys()].filter((path) => !before.has(path) && !own.has(path));
  // Only the topmost added entry is removed; what is under it goes with it.
  const addedSet = new Set(added);
  const tops = added.filter((path) => {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) if (addedSet.has(path.slice(0, end))) return false;
    return true;
  });
  for (const path of tops) await rm(join(root, path), { recursive: true, force: true });
  for (const path of added) after.delete(path);
  return { tampered: tampered.sort(), removed: tops.sort(), snapshot: after };
}
