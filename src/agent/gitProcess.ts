import { spawn } from 'node:child_process';

/**
 * Runs one git command and resolves with its stdout. Used where git is on the engine's hot path
 * (isolation before every verified run, the orchestrator's git tools) instead of simple-git, whose
 * completion plugin waits an extra 50 ms after every command that prints nothing (`read-tree`, an
 * empty `ls-files --ignored`, `git status` of a clean tree, `worktree remove`).
 *
 * The guarantees simple-git gave these calls are kept: ambient GIT_* variables (and editor or pager
 * commands) are dropped, so GIT_DIR or GIT_INDEX_FILE from a hook cannot redirect a call, and
 * `core.fsmonitor=false` always goes first, so a repository's config cannot run a program. Callers
 * pass only literals, checked commit ids or paths after `--`. The command is stopped after
 * `idleTimeoutMs` without output. A non-zero exit rejects, with git's message.
 */
export function runGit(cwd: string, args: readonly string[], idleTimeoutMs = 60_000, options: GitInput = {}): Promise<string> {
  return runGitBytes(cwd, args, idleTimeoutMs, options).then((stdout) => stdout.toString('utf8'));
}

/** `runGit` with stdout as bytes: a blob's content (`cat-file blob`), which may not be text. */
export function runGitBytes(cwd: string, args: readonly string[], idleTimeoutMs = 60_000, options: GitInput = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.fsmonitor=false', ...args], {
      cwd,
      env: { ...gitEnvironment(), ...options.env },
      stdio: 'pipe',
      windowsHide: true,
    });
    // A git that exits before reading everything (an error) closes the pipe: its exit status says why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const idle = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, idleTimeoutMs);
    };
    idle();
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      idle();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      idle();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      if (timedOut) reject(new Error(`git ${args[0] ?? ''} was stopped after ${Math.round(idleTimeoutMs / 1000)} s without output`));
      else if (code !== 0) reject(new Error(Buffer.concat(err).toString('utf8').trim() || `git ${args[0] ?? ''} exited with code ${String(code)}`));
      else resolve(stdout);
    });
  });
}

/** What a plumbing call may be given besides its arguments. */
export interface GitInput {
  /** Written to git's standard input (a blob's bytes, an index listing, a commit message). */
  readonly input?: string | Uint8Array;
  /** Variables set on purpose by the caller (a temporary index, an identity): the only GIT_* that pass. */
  readonly env?: Readonly<Record<string, string>>;
}

const droppedNames = new Set(['EDITOR', 'VISUAL', 'PAGER', 'SSH_ASKPASS']);

/** The process environment without GIT_* variables and commands git could be told to run. */
function gitEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => {
      const upper = name.toUpperCase();
      return !upper.startsWith('GIT_') && !droppedNames.has(upper);
    }),
  );
}
