/** Runs the real CLI bundle against the fake model server and timestamps every `--json` event on arrival. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runEventSchema, type RunEvent } from '../src/protocol/run';
import type { FakeModelServer } from '../test/fake-model/index';
import { repoRoot } from './repo';
import { now } from './stats';

export interface TimedEvent {
  readonly at: number;
  readonly event: RunEvent;
}

export interface CliOutcome {
  readonly code: number | null;
  readonly stderr: string;
  readonly startedAt: number;
  readonly exitedAt: number;
  readonly events: readonly TimedEvent[];
  /** Peak resident set of the agent server child, in bytes, if it could be read (Linux /proc). */
  readonly serverPeakRssBytes: number | null;
}

/** The bundles measured: dist/, or BENCH_DIST (another build, e.g. of an earlier commit, to compare). */
export function distDir(): string {
  return process.env.BENCH_DIST ?? join(repoRoot, 'dist');
}

export function fakeEnv(server: FakeModelServer): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI|ANTHROPIC)_/.test(name)));
  return { ...env, ANTHROPIC_API_KEY: 'sk-ant-bench', ANTHROPIC_BASE_URL: server.anthropicBaseUrl };
}

export function eventsOf<K extends RunEvent['type']>(events: readonly TimedEvent[], type: K): { at: number; event: Extract<RunEvent, { type: K }> }[] {
  return events.flatMap((timed) => (timed.event.type === type ? [{ at: timed.at, event: timed.event as Extract<RunEvent, { type: K }> }] : []));
}

/** Reads VmHWM (peak RSS) of the CLI's child processes from /proc; null where /proc is missing. */
async function childPeakRss(pid: number): Promise<number | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter((text) => text !== '');
    let peak: number | null = null;
    for (const child of children) {
      const status = await readFile(`/proc/${child}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (match?.[1] !== undefined) peak = Math.max(peak ?? 0, Number(match[1]) * 1024);
    }
    return peak;
  } catch {
    return null;
  }
}

export async function runCli(server: FakeModelServer, cwd: string, task: string, flags: readonly string[], watchMemory = false, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  const startedAt = now();
  const child = spawn(process.execPath, [join(distDir(), 'cli.js'), 'run', task, '--cwd', cwd, '--json', ...flags], { env: { ...fakeEnv(server), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Chunks are only timestamped as they arrive and parsed once the CLI has exited: this process
  // also serves the fake model, and parsing events on the way would delay it and later timestamps.
  const chunks: { at: number; text: string }[] = [];
  let stderr = '';
  let peak: number | null = null;
  child.stdout.on('data', (chunk: Buffer) => chunks.push({ at: now(), text: chunk.toString('utf8') }));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = watchMemory && child.pid !== undefined
    ? setInterval(() => {
        void childPeakRss(child.pid ?? 0).then((value) => {
          if (value !== null) peak = Math.max(peak ?? 0, value);
        });
      }, 100)
    : undefined;
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  const exitedAt = now();
  if (timer !== undefined) clearInterval(timer);
  return { code, stderr, startedAt, exitedAt, events: parseEvents(chunks), serverPeakRssBytes: peak };
}

/** `--json` lines, each timed by the arrival of the chunk that completed it. */
function parseEvents(chunks: readonly { at: number; text: string }[]): TimedEvent[] {
  const events: TimedEvent[] = [];
  let pending = '';
  for (const { at, text } of chunks) {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const parsed = runEventSchema.safeParse(JSON.parse(line));
        if (parsed.success) events.push({ at, event: parsed.data });
      } catch {
        // Not an event line: ignored here (the tests check --json prints nothing else).
      }
    }
  }
  return events;
}
