/**
 * The sandbox port: everything that executes content nobody has reviewed (the baseline and every
 * verification run, every `run_command`) starts through a `Sandbox`, never through child_process
 * directly. An implementation turns a shell line and a policy into the program to spawn; the
 * process runner spawns it and keeps the timeout, output cap, memory cap and kill-the-tree rules.
 */

export type SandboxKind = 'bubblewrap' | 'seatbelt';

/** What a sandboxed command may touch. Paths are absolute and already resolved through symlinks. */
export interface SandboxPolicy {
  /** Where the command starts: inside one of `writable`. */
  readonly cwd: string;
  /** The only folders the command may change (the isolated copy). A private, empty temp folder is always added. */
  readonly writable: readonly string[];
  /**
   * Folders readable (never writable) although they lie in a hidden place such as the home
   * folder: the user's workspace and its repository (the copy's linked folders and git objects
   * live there) and the toolchains of {@link homeToolchainFolders}.
   */
  readonly readable: readonly string[];
  /**
   * Folders hidden (seen empty) although the rest of the disk is readable: the user's workspace
   * and repository, whose ignored files (`.env`, keys) never belong in a test run. Readable
   * folders inside them (the linked dependency folders, the git objects) stay readable.
   */
  readonly hidden: readonly string[];
  /**
   * Folders that exist but whose writes must not reach the user: inside the sandbox each is
   * replaced by an empty, private, writable layer thrown away when the command ends (tool caches
   * inside linked dependency folders, such as `node_modules/.cache`).
   */
  readonly privateLayers: readonly string[];
  /**
   * Writable folders shown at a second path too (bubblewrap only; the command starts there): every
   * verification copy of a workspace at one path, so tools' caches keyed by absolute path (ESLint's)
   * stay valid from copy to copy (see verify/cacheLayers.ts).
   */
  readonly aliases?: readonly { readonly from: string; readonly at: string }[];
  /** Hosts reachable through the sandbox's proxy; empty: no network but loopback. */
  readonly allowedHosts: readonly string[];
  /** The whole environment of the command (already an allowlist; see sandboxEnvironment.ts). */
  readonly env: Readonly<Record<string, string>>;
  /** How many processes (tasks) the command may have at once, where the sandbox can cap it (processLimit.ts); 0: no cap. */
  readonly maxProcesses?: number;
}

/** The program to spawn for one sandboxed command, and what to undo once it has ended. */
export interface SandboxLaunch {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The process cap the launch set, and whether the command has run into it (processLimit.ts). */
  readonly processCap?: { readonly max: number; hit(): Promise<boolean> };
  /** Releases what the launch set up (a network proxy, a process cap); safe to call twice. */
  release(): Promise<void>;
}

export interface Sandbox {
  readonly kind: SandboxKind;
  /** For people: "bubblewrap 0.8.0 (Linux namespaces)". */
  readonly description: string;
  launch(command: string, policy: SandboxPolicy): Promise<SandboxLaunch>;
}

/** Why no sandbox can be used here, and what the user can do about it. */
export interface SandboxMissing {
  readonly kind: 'none';
  readonly reason: string;
  readonly remedy: string;
}

export type SandboxAvailability = Sandbox | SandboxMissing;

export function isSandbox(found: SandboxAvailability): found is Sandbox {
  return found.kind !== 'none';
}
