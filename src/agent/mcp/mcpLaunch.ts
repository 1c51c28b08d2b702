import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, sep } from 'node:path';
import { quoteShellArg } from '../verify/detectTestCommand';
import { homeToolchainFolders } from '../sandbox/homeToolchains';
import type { SandboxSettings } from '../sandbox/sandboxPolicy';
import { isSandbox, type SandboxAvailability, type SandboxPolicy } from '../sandbox/sandboxTypes';
import type { ResolvedStdio } from './mcpVariables';

/**
 * How a stdio MCP server's process is started. It is a long-lived program the user (or, after the
 * user's approval, the workspace) named, so it runs in the sandbox like a test run, with a policy
 * of its own, decided conservatively:
 * - the workspace is readable, never writable (a server reads the project it serves; changes
 *   reach the user's files only through Plumbline's review); only a private /tmp is writable;
 * - the home folder is hidden but for the toolchains a test run may read (no keys, no dotfiles);
 * - no network but loopback, unless `plumbline.sandbox.allowedHosts` opens hosts;
 * - the environment is the sandbox's allowlist (scrubbed of secrets) plus only the variables the
 *   definition names (see mcpVariables.ts).
 * Where the machine has no sandbox, the process runs unconfined with that same environment, and
 * doctor says so.
 */
export interface McpLaunch {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** "sandboxed (bubblewrap …)" or "unconfined: …", for doctor and the sidebar. */
  readonly confinement: string;
  release(): Promise<void>;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The `node_modules` folder a command given by its path lives in (`…/node_modules/.bin/server`,
 * read where it really is), readable so the program can load its packages wherever the checkout
 * is (under /tmp, which the sandbox replaces, for one). Package code only: a command anywhere else
 * opens nothing more, so an approved definition naming a file in a hidden folder cannot read it.
 */
export function commandPackages(command: string): string[] {
  if (!isAbsolute(command)) return [];
  const parts = real(command).split(sep);
  const top = parts.indexOf('node_modules');
  return top > 0 ? [parts.slice(0, top + 1).join(sep)] : [];
}

/** The sandbox policy of one MCP server process. */
export function mcpServerPolicy(resolved: ResolvedStdio, root: string, settings: SandboxSettings, env: NodeJS.ProcessEnv = process.env): SandboxPolicy {
  const home = real(env.HOME ?? homedir());
  const workspace = real(root);
  const readable = [workspace, ...commandPackages(resolved.command), ...homeToolchainFolders(home, env.PATH, settings.readablePaths)];
  return { cwd: real(resolved.cwd), writable: [], readable, hidden: [], privateLayers: [], allowedHosts: [...settings.allowedHosts], env: { ...resolved.env, HOME: home } };
}

export async function launchMcpServer(resolved: ResolvedStdio, root: string, sandbox: SandboxAvailability, settings: SandboxSettings, env: NodeJS.ProcessEnv = process.env): Promise<McpLaunch> {
  if (!isSandbox(sandbox)) {
    return { file: resolved.command, args: resolved.args, env: resolved.env, cwd: resolved.cwd, confinement: `unconfined: ${sandbox.reason}`, release: () => Promise.resolve() };
  }
  const policy = mcpServerPolicy(resolved, root, settings, env);
  const line = [resolved.command, ...resolved.args].map(quoteShellArg).join(' ');
  // `exec`: the server is the sandbox's process itself, so closing its stdin ends it.
  const launch = await sandbox.launch(`exec ${line}`, policy);
  return { file: launch.file, args: launch.args, env: launch.env, cwd: policy.cwd, confinement: `sandboxed (${sandbox.description})`, release: () => launch.release() };
}
