import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * A cap on how many processes (and threads: the kernel counts tasks) a sandboxed command may have
 * at once. The sandbox's PID namespace hides the machine's processes but does not bound how many the
 * command makes, and a fork bomb in a model-written test would take every PID of the machine (often
 * 32,768) until the timeout. bubblewrap has no limit of its own, and `RLIMIT_NPROC` does not bind
 * root (CI, containers); so, where it can:
 * - as root: a cgroup of the `pids` controller (v1's `/sys/fs/cgroup/pids`, or v2 where the
 *   controller is enabled) with `pids.max`, which the launcher joins before it starts bubblewrap;
 *   its `pids.events` tells the harness the cap was hit, and the run is stopped then;
 * - otherwise: `RLIMIT_NPROC` set by the launcher shell (it counts all of the user's processes, so
 *   the cap is what the user runs now plus the allowance).
 * Elsewhere (macOS) nothing: Seatbelt has no process cap. Best effort: a machine that offers neither
 * runs the command uncapped, as before.
 */

/** The allowance: far above a test suite's workers and their threads, far below a machine's PIDs. */
export const DEFAULT_MAX_PROCESSES = 4096;

export interface ProcessLimit {
  /** The launcher, to run with `sh -c SCRIPT`: joins the cap, then `exec "$@"` (the sandbox's program). */
  readonly script: string;
  /** The script's first arguments, before the program's. */
  readonly scriptArgs: readonly string[];
  readonly max: number;
  /** Whether the cap stopped a fork since the command started (cgroups only; false otherwise). */
  hit(): Promise<boolean>;
  /** Removes the cgroup once its processes are gone. Best effort. */
  release(): Promise<void>;
}

/** Where the `pids` controller can be used: v1's own hierarchy, or a v2 hierarchy with it enabled. */
function pidsHierarchy(): { readonly root: string; readonly version: 1 | 2 } | undefined {
  if (existsSync('/sys/fs/cgroup/pids/cgroup.procs')) return { root: '/sys/fs/cgroup/pids', version: 1 };
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    try {
      if (readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('pids')) return { root, version: 2 };
    } catch {
      // Not a v2 hierarchy.
    }
  }
  return undefined;
}

async function cgroupLimit(max: number): Promise<ProcessLimit | undefined> {
  const hierarchy = pidsHierarchy();
  if (hierarchy === undefined) return undefined;
  const parent = join(hierarchy.root, 'plumbline');
  const folder = join(parent, `${String(process.pid)}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(parent, { recursive: true });
    await removeStale(parent);
    // v2: a child gets the controller only when its parent hands it down.
    if (hierarchy.version === 2) {
      await writeFile(join(hierarchy.root, 'cgroup.subtree_control'), '+pids').catch(() => undefined);
      await writeFile(join(parent, 'cgroup.subtree_control'), '+pids');
    }
    await mkdir(folder);
    await writeFile(join(folder, 'pids.max'), String(max));
  } catch {
    await rmdir(folder).catch(() => undefined);
    return undefined;
  }
  const hits = async (): Promise<number> => {
    const events = await readFile(join(folder, 'pids.events'), 'utf8').catch(() => '');
    return Number(/^max (\d+)/m.exec(events)?.[1] ?? 0);
  };
  return {
    // The launcher moves itself into the cgroup, then becomes bubblewrap: everything it starts is counted.
    // Best effort: a launcher that cannot join runs uncapped, as where no cgroup could be made.
    script: 'echo $$ > "$1" 2>/dev/null; shift; exec "$@"',
    scriptArgs: ['plumbline-limit', join(folder, 'cgroup.procs')],
    max,
    hit: async () => (await hits()) > 0,
    release: async () => {
      // The runner has ended the tree; the last processes may still be on their way out.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        if (await rmdir(folder).then(() => true, () => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Removes the empty cgroups of servers that are gone (killed before they could release theirs). */
async function removeStale(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || pid === process.pid || processExists(pid)) continue;
    // rmdir removes only an empty cgroup: one whose processes still run stays.
    await rmdir(join(parent, name)).catch(() => undefined);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How many tasks the current user has now (for `RLIMIT_NPROC`, which counts them all). */
export async function userTasks(uid: number): Promise<number> {
  let count = 0;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real !== undefined && Number(real) === uid) count += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
  }
  return count;
}

/** The cap as `RLIMIT_NPROC`, which counts every task of the user: `current` (theirs now) plus `max`. */
export function rlimitLimit(max: number, current: number): ProcessLimit {
  const cap = current + max;
  return {
    // dash calls it -p, bash -u; a shell with neither runs the program uncapped.
    script: 'ulimit -u "$1" 2>/dev/null || ulimit -p "$1" 2>/dev/null; shift; exec "$@"',
    scriptArgs: ['plumbline-limit', String(cap)],
    max,
    hit: () => Promise.resolve(false),
    release: () => Promise.resolve(),
  };
}

/** The cap for one sandboxed command on this machine, or undefined where none can be set. */
export async function prepareProcessLimit(max = DEFAULT_MAX_PROCESSES, platform: NodeJS.Platform = process.platform): Promise<ProcessLimit | undefined> {
  if (platform !== 'linux' || max <= 0) return undefined;
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return cgroupLimit(max);
  // The count is a walk of /proc: taken once every few seconds, not for every command.
  const now = Date.now();
  if (counted === undefined || now - counted.at > COUNT_FOR_MS) counted = { at: now, tasks: await userTasks(uid) };
  return rlimitLimit(max, counted.tasks);
}

/** How long the user's task count stands for (what they run changes slowly next to the allowance). */
const COUNT_FOR_MS = 10_000;
let counted: { readonly at: number; readonly tasks: number } | undefined;
