import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/**
 * A memory cap for a command and everything it starts. bubblewrap has no memory limit of its own,
 * `RLIMIT_AS` breaks runtimes that reserve address space up front (V8, the JVM, Go), and cgroups
 * need a systemd session that containers and CI lack; so the harness watches instead: every
 * half second it adds up the resident memory of the command's process tree and, over the cap,
 * says so once (the runner then ends the tree, as on a timeout).
 */

const INTERVAL_MS = 500;

interface ProcessEntry {
  readonly ppid: number;
  readonly rssBytes: number;
}

async function linuxProcesses(): Promise<Map<number, ProcessEntry>> {
  const table = new Map<number, ProcessEntry>();
  const page = 4096;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid … rss is field 24; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), rssBytes: Number(fields[21]) * page });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

function psProcesses(): Promise<Map<number, ProcessEntry>> {
  return new Promise((resolve) => {
    execFile('/bin/ps', ['-A', '-o', 'pid=,ppid=,rss='], { timeout: 5000 }, (error, stdout) => {
      const table = new Map<number, ProcessEntry>();
      if (error === null) {
        for (const line of stdout.split('\n')) {
          const [pid, ppid, rss] = line.trim().split(/\s+/).map(Number);
          if (pid !== undefined && ppid !== undefined && rss !== undefined && !Number.isNaN(pid)) table.set(pid, { ppid, rssBytes: rss * 1024 });
        }
      }
      resolve(table);
    });
  });
}

/** Resident bytes of `rootPid` and all its descendants. */
export async function treeResidentBytes(rootPid: number): Promise<number> {
  const table = process.platform === 'linux' ? await linuxProcesses() : await psProcesses();
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), pid]);
  let total = 0;
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() ?? 0;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += table.get(pid)?.rssBytes ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Calls `exceeded` once when the tree of `rootPid` holds more than `capBytes`; returns the stop function. */
export function watchMemory(rootPid: number, capBytes: number, exceeded: (usedBytes: number) => void): () => void {
  if (process.platform === 'win32' || capBytes <= 0) return () => undefined;
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    treeResidentBytes(rootPid)
      .then((used) => {
        if (!stopped && used > capBytes) {
          stopped = true;
          clearInterval(timer);
          exceeded(used);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, INTERVAL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
