// Runs one project command (a test suite, a build) through the platform shell and reports how it
// ended. The harness decides pass/fail from this result, never the model. The command gets its own
// process group (POSIX) so a timeout or a cancel ends everything it started, and the promise settles
// even when a daemon it forked keeps the output pipes open.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { scrubEnvironment } from './scrubEnvironment';
import { watchMemory } from '../sandbox/memoryWatch';

export interface ProcessOptions {
  readonly command: string;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The environment before scrubbing; default `process.env`. Secrets are always removed. */
  readonly env?: NodeJS.ProcessEnv;
  /** Most output kept in memory (head and tail); default 4 MiB. */
  readonly maxOutputBytes?: number;
  /**
   * Start this program instead of the platform shell (a sandbox's launcher, which runs `command`
   * inside it); its environment is used as given.
   */
  readonly launch?: {
    readonly file: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    /** A cap on the command's processes the launcher set; the run is ended once it is hit (sandbox/processLimit.ts). */
    readonly processCap?: { readonly max: number; hit(): Promise<boolean> };
  };
  /** The command's whole process tree is ended when its resident memory exceeds this (0 or absent: no cap). */
  readonly memoryCapBytes?: number;
  /** Applied to the output before it is returned (paths of the copy, credentials). */
  readonly scrub?: (output: string) => string;
}

export interface ProcessResult {
  /** The shell's exit code; null when it was ended by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Ended because its process tree used more memory than `memoryCapBytes`. */
  readonly memoryExceeded: boolean;
  readonly durationMs: number;
  /** stdout and stderr interleaved as they arrived, capped to the first and last bytes. */
  readonly output: string;
  /** Bytes left out of `output` by the cap. */
  readonly truncatedBytes: number;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** How long to wait for the pipes to close once the shell has exited. */
const DRAIN_MS = 500;
/** How often a capped command's cgroup is asked whether the cap was hit. */
const PROCESS_CAP_INTERVAL_MS = 250;
const isWindows = process.platform === 'win32';

/** The first quarter and the last three quarters of everything written, never more in memory. */
class OutputCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(maxBytes: number) {
    this.headCap = Math.floor(maxBytes / 4);
    this.tailCap = maxBytes - this.headCap;
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    if (this.headBytes < this.headCap) {
      const take = Math.min(this.headCap - this.headBytes, rest.length);
      this.head.push(Buffer.from(rest.subarray(0, take)));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tailBytes > this.tailCap) {
      const first = this.tail[0];
      if (first === undefined) break;
      const excess = this.tailBytes - this.tailCap;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  result(): { output: string; truncatedBytes: number } {
    const head = Buffer.concat(this.head);
    const tail = Buffer.concat(this.tail);
    if (this.dropped === 0) return { output: Buffer.concat([head, tail]).toString('utf8'), truncatedBytes: 0 };
    // Cut on character boundaries so neither side shows a broken UTF-8 sequence.
    const headEnd = completeUtf8Length(head);
    let tailStart = 0;
    while (tailStart < Math.min(3, tail.length) && ((tail[tailStart] ?? 0) & 0xc0) === 0x80) tailStart++;
    const omitted = this.dropped + (head.length - headEnd) + tailStart;
    const marker = `\n… ${omitted} bytes omitted …\n`;
    return { output: head.toString('utf8', 0, headEnd) + marker + tail.toString('utf8', tailStart), truncatedBytes: omitted };
  }
}

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence. */
function completeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * The inode names of a process's stdout and stderr (`socket:[123]`: Node's stdio "pipes" are socket
 * pairs; `pipe:[123]` elsewhere), to find who else holds them.
 */
function pipeNames(pid: number): Set<string> {
  const names = new Set<string>();
  if (process.platform !== 'linux') return names;
  for (const fd of [1, 2]) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('socket:') || target.startsWith('pipe:')) names.add(target);
    } catch {
      // Already gone.
    }
  }
  return names;
}

/**
 * On Linux, the processes a group kill misses: those that left the group or the session (a
 * `setsid` daemon) but descend from the command or still hold its output pipes.
 */
function stragglers(rootPid: number, pipes: ReadonlySet<string>): number[] {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  const found = new Set<number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || pid === 1) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses.
    const [state, ppid, pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue;
    parentOf.set(pid, Number(ppid));
    if (Number(pgrp) === rootPid || Number(session) === rootPid || holdsPipe(entry, pipes)) found.add(pid);
  }
  const result = new Set(found);
  for (const pid of parentOf.keys()) {
    let current: number | undefined = parentOf.get(pid);
    for (let depth = 0; current !== undefined && current > 1 && depth < 64; depth++) {
      if (current === process.pid) break;
      if (current === rootPid || found.has(current)) {
        result.add(pid);
        break;
      }
      current = parentOf.get(current);
    }
  }
  return [...result];
}

function holdsPipe(pid: string, pipes: ReadonlySet<string>): boolean {
  if (pipes.size === 0) return false;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (pipes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
      } catch {
        // The descriptor closed meanwhile.
      }
    }
  } catch {
    // Not ours to look at, or gone.
  }
  return false;
}

/** Signals the command's process group and its stragglers (remembered in `also`); whether any was there. */
function signalTree(pid: number, pipes: ReadonlySet<string>, signal: NodeJS.Signals, also: Set<number>): boolean {
  if (isWindows) {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    return true;
  }
  let any = false;
  // Find the stragglers first: once the group is signalled their parents die, and a daemon that
  // left the group with setsid no longer looks related to anything.
  for (const straggler of stragglers(pid, pipes)) also.add(straggler);
  try {
    process.kill(-pid, signal);
    any = true;
  } catch {
    // The group is empty already.
  }
  for (const straggler of also) {
    try {
      process.kill(straggler, signal);
      any = true;
    } catch {
      // Gone.
    }
  }
  return any;
}

function shellInvocation(command: string): { file: string; args: string[] } {
  if (isWindows) return { file: process.env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', `"${command}"`] };
  return { file: '/bin/sh', args: ['-c', command] };
}

/** Runs `command` in `cwd` through the platform shell, with the secrets scrubbed from its environment. */
export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const capture = new OutputCapture(Math.max(64, options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES));
  const base = { timedOut: false, cancelled: false, memoryExceeded: false };
  if (options.signal?.aborted === true) {
    return Promise.resolve({ exitCode: null, signal: null, ...base, cancelled: true, durationMs: 0, output: '', truncatedBytes: 0 });
  }
  const { file, args } = options.launch ?? shellInvocation(options.command);
  // NODE_TEST_CONTEXT (set when this process runs under `node --test`) would turn the project's own
  // `node --test` into a sub-reporter that exits 0 on failures.
  const { NODE_TEST_CONTEXT: _testContext, ...env } = options.launch?.env ?? scrubEnvironment(options.env ?? process.env);
  const child = spawn(file, [...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: !isWindows,
    windowsHide: true,
    windowsVerbatimArguments: isWindows && options.launch === undefined,
  });
  const pid = child.pid;
  const pipes = pid === undefined ? new Set<string>() : pipeNames(pid);
  const signalled = new Set<number>();

  return new Promise<ProcessResult>((resolve) => {
    let exit: { code: number | null; signal: string | null } | undefined;
    let settled = false;
    let pipesClosed = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let lastResort: NodeJS.Timeout | undefined;

    const onData = (chunk: Buffer): void => capture.push(chunk);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);

    const terminate = (): void => {
      if (pid === undefined || killTimer !== undefined) return;
      signalTree(pid, pipes, 'SIGTERM', signalled);
      killTimer = setTimeout(() => signalTree(pid, pipes, 'SIGKILL', signalled), KILL_GRACE_MS);
      // Should the shell never report its exit (an unkillable process), settle anyway.
      lastResort = setTimeout(() => finish(), KILL_GRACE_MS + DRAIN_MS + 1000);
    };

    // Once the shell has exited, the command is done: the drain settles it whatever comes now.
    const timeout = setTimeout(() => {
      if (exit !== undefined) return;
      base.timedOut = true;
      terminate();
    }, Math.min(Math.max(0, options.timeoutMs), 2_147_483_647));
    const onAbort = (): void => {
      if (exit !== undefined) return;
      base.cancelled = true;
      terminate();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const stopWatching =
      pid === undefined || options.memoryCapBytes === undefined
        ? () => undefined
        : watchMemory(pid, options.memoryCapBytes, (used) => {
            if (exit !== undefined) return;
            base.memoryExceeded = true;
            capture.push(Buffer.from(`\n[plumbline] stopped: the command's processes used ${Math.round(used / 1048576)} MiB, over the cap of ${Math.round((options.memoryCapBytes ?? 0) / 1048576)} MiB (plumbline.sandbox.memoryMb).\n`));
            terminate();
          });

    // A command at its process cap is a fork bomb or a runaway: forks fail from there on, so it is
    // ended now rather than at the timeout.
    const cap = options.launch?.processCap;
    let capNoted = false;
    const noteCap = (how: string): void => {
      if (capNoted || cap === undefined) return;
      capNoted = true;
      capture.push(Buffer.from(`\n[plumbline] ${how}: the command's processes reached the cap of ${String(cap.max)} at once (plumbline.sandbox.maxProcesses), so it could start no more.\n`));
    };
    const capWatch =
      cap === undefined
        ? undefined
        : setInterval(() => {
            void cap.hit().then((hit) => {
              if (!hit || exit !== undefined || killTimer !== undefined) return;
              noteCap('stopped');
              terminate();
            }, () => undefined);
          }, PROCESS_CAP_INTERVAL_MS);
    // A command that ended on its own may have met the cap too (a shell that could not fork exits):
    // asked once, before the result is settled, so the output says why.
    let capCheck: Promise<void> | undefined;
    const checkCap = (): Promise<void> =>
      (capCheck ??= cap === undefined ? Promise.resolve() : cap.hit().then((hit) => (hit ? noteCap('note') : undefined), () => undefined));

    function finish(note?: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(drainTimer);
      clearTimeout(lastResort);
      clearInterval(capWatch);
      stopWatching();
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever is left of the command's processes (a daemon, a forgotten server) goes too; a
      // pending SIGKILL stays scheduled. Closed pipes have no holders left to look for.
      const holders = pipesClosed ? new Set<string>() : pipes;
      if (pid !== undefined && killTimer === undefined && !isWindows && signalTree(pid, holders, 'SIGTERM', signalled)) {
        killTimer = setTimeout(() => signalTree(pid, holders, 'SIGKILL', signalled), KILL_GRACE_MS);
      }
      child.stdout.destroy();
      child.stderr.destroy();
      if (note !== undefined) capture.push(Buffer.from(note));
      const captured = capture.result();
      const output = options.scrub === undefined ? captured.output : options.scrub(captured.output);
      const truncatedBytes = captured.truncatedBytes;
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        ...base,
        durationMs: Math.round(performance.now() - started),
        output,
        truncatedBytes,
      });
    }

    child.on('error', (error) => finish(`\n[plumbline] could not run the command: ${error.message}\n`));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      void checkCap();
      // A daemon may hold the pipes open forever: wait briefly for them, then settle.
      drainTimer = setTimeout(() => void checkCap().then(() => finish()), DRAIN_MS);
    });
    child.on('close', () => {
      pipesClosed = true;
      void checkCap().then(() => finish());
    });
  });
}
