/**
 * Starts the agent server before the rest of the CLI has loaded: `main.ts` imports this module
 * first, so its top level runs before the bundle's other modules (the JSON-RPC stack, zod, the
 * terminal views) are evaluated, and the server's own start (a second Node, a larger bundle)
 * overlaps the CLI's. Only for the commands that follow a run (`run`, `resume`), where the time to
 * the first model request is what the user waits for.
 *
 * It guesses the workspace folder from the arguments; `takeEarlyServer` hands the process over only
 * when the folder the CLI settled on is the same, and `discardEarlyServer` stops one nobody took
 * (a usage error, another folder). Either way the outcome is the server the CLI would have started.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface EarlyServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly folder: string;
}

/** The folder the arguments name (`--cwd DIR`, `--cwd=DIR`), else the current directory; undefined when no server is worth starting. */
export function earlyServerFolder(argv: readonly string[], cwd: string): string | undefined {
  if (argv[0] !== 'run' && argv[0] !== 'resume') return undefined;
  let folder: string | undefined;
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') break;
    if (['-h', '--help', '-v', '--version'].includes(arg)) return undefined;
    if (arg === '--cwd') folder = argv[index + 1];
    else if (arg.startsWith('--cwd=')) folder = arg.slice('--cwd='.length);
  }
  return resolve(cwd, folder ?? '.');
}

function startEarly(): EarlyServer | undefined {
  const folder = earlyServerFolder(process.argv.slice(2), process.cwd());
  if (folder === undefined || !existsSync(folder) || !statSync(folder).isDirectory()) return undefined;
  const child = spawn(process.execPath, [join(__dirname, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: folder });
  // A spawn that fails is reported by the session that adopts it; one nobody adopts stays quiet.
  child.on('error', () => undefined);
  return { child, folder };
}

// Only in the bundle (dist/cli-main.js, next to dist/server.js), never when tests import the sources.
let early: EarlyServer | undefined = /[\\/]cli-main\.js$/.test(__filename) ? startEarly() : undefined;

/** The server started for `folder`, once; undefined if none was started or it was for another folder (then it is stopped). */
export function takeEarlyServer(folder: string): ChildProcessWithoutNullStreams | undefined {
  const taken = early;
  early = undefined;
  if (taken === undefined) return undefined;
  if (taken.folder === folder && taken.child.exitCode === null && taken.child.signalCode === null) return taken.child;
  stop(taken.child);
  return undefined;
}

/** Stops a server that was started early and never taken (the CLI ended before needing it). */
export function discardEarlyServer(): void {
  const taken = early;
  early = undefined;
  if (taken !== undefined) stop(taken.child);
}

function stop(child: ChildProcessWithoutNullStreams): void {
  child.stdin.end();
  if (child.exitCode === null && child.signalCode === null) child.kill();
}
