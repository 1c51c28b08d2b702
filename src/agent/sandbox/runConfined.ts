import { runProcess, type ProcessResult } from '../verify/processRunner';
import { copyPolicy, seenCopyPath, type CopyLayout, type SandboxSettings } from './sandboxPolicy';
import type { Sandbox } from './sandboxTypes';

/**
 * How a command on an isolated copy runs: inside the machine's sandbox, or, only where there is
 * none and the user said so for this run, unconfined (still in the copy, still with the
 * allowlisted environment, the caps and the scrubbed output).
 */
export type Confinement = { readonly kind: 'sandbox'; readonly sandbox: Sandbox } | { readonly kind: 'unconfined'; readonly why: string };

export interface ConfinedCommand {
  readonly command: string;
  readonly layout: CopyLayout;
  readonly confinement: Confinement;
  readonly settings: SandboxSettings;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly maxOutputBytes?: number;
  /** The server's environment, which the policy filters (tests); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The one way the harness runs a command on content nobody has reviewed. */
export async function runConfined(run: ConfinedCommand): Promise<ProcessResult> {
  // bubblewrap shows every copy of the workspace at one path (caches keyed by path stay warm); elsewhere each is where it is.
  const seenAt = run.confinement.kind === 'sandbox' && run.confinement.sandbox.kind === 'bubblewrap' ? seenCopyPath(run.layout.sources[0] ?? run.layout.path) : undefined;
  const { policy, scrub, memoryCapBytes } = copyPolicy(run.layout, run.settings, run.env ?? process.env, seenAt);
  const common = {
    command: run.command,
    cwd: run.layout.path,
    timeoutMs: run.timeoutMs,
    memoryCapBytes,
    scrub,
    ...(run.signal !== undefined ? { signal: run.signal } : {}),
    ...(run.maxOutputBytes !== undefined ? { maxOutputBytes: run.maxOutputBytes } : {}),
  };
  if (run.confinement.kind === 'unconfined') return runProcess({ ...common, env: policy.env });
  const launch = await run.confinement.sandbox.launch(run.command, policy);
  try {
    return await runProcess({ ...common, launch });
  } finally {
    await launch.release();
  }
}
