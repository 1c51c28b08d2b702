import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { homeToolchainFolders } from './homeToolchains';
import { sandboxEnvironment } from './sandboxEnvironment';
import type { SandboxPolicy } from './sandboxTypes';
import { createOutputScrubber, secretValues, type OutputScrubber } from './scrubOutput';

/** `plumbline.sandbox.*`: what the user may open up, from user settings only. */
export interface SandboxSettings {
  /** Hosts commands may reach through the sandbox's proxy (`registry.npmjs.org`, `*.pypi.org`). */
  readonly allowedHosts: readonly string[];
  /** More environment variable names to pass on. */
  readonly environment: readonly string[];
  /** More folders to make readable (read-only), such as a toolchain in an unusual place. */
  readonly readablePaths: readonly string[];
  /** The memory cap of a command's process tree, in MiB; absent: half the machine's memory. */
  readonly memoryMb?: number;
}

export const defaultSandboxSettings: SandboxSettings = { allowedHosts: [], environment: [], readablePaths: [] };

/** Where an isolated copy's parts are, as the sandbox must see them. */
export interface CopyLayout {
  /** The folder holding the copy: the only place the command may write. */
  readonly scratch: string;
  /** The copy of the workspace root, where commands start. */
  readonly path: string;
  /** The user's workspace folder, and the repository's top when it is a git repository. */
  readonly sources: readonly string[];
  /** The user's folders the copy links to (dependencies), resolved. */
  readonly linkedFolders: readonly string[];
  /** The repository's git folder a worktree copy needs to read (objects, refs). */
  readonly gitDir?: string;
}

/** Linked folders that only hold a tool's cache: each gets a private, empty, writable layer. */
const CACHE_FOLDERS = new Set(['.pytest_cache', '.mypy_cache', '.ruff_cache', '.turbo', '.nx', '.parcel-cache']);

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export interface PreparedPolicy {
  readonly policy: SandboxPolicy;
  readonly scrub: OutputScrubber;
  readonly memoryCapBytes: number;
}

/**
 * The policy for a command on an isolated copy: write the copy only; read the copy's linked
 * dependency folders and git objects but not the rest of the user's workspace (its ignored files,
 * `.env` among them, never reach a test); the home folder hidden but for toolchains; no network
 * but loopback and the allowed hosts; an allowlisted environment; and a memory cap.
 */
export function copyPolicy(layout: CopyLayout, settings: SandboxSettings, env: NodeJS.ProcessEnv = process.env): PreparedPolicy {
  const home = real(env.HOME ?? homedir());
  const linked = layout.linkedFolders.map(real);
  const privateLayers = linked.flatMap((folder) => {
    if (CACHE_FOLDERS.has(basename(folder))) return [folder];
    const cache = join(folder, '.cache');
    return isFolder(cache) ? [cache] : [];
  });
  // Never the whole disk or the home folder back through a link or a setting (`node_modules -> ~`).
  const coversHome = (path: string): boolean => path === '/' || home === path || home.startsWith(`${path}/`);
  const readable = [...homeToolchainFolders(home, env.PATH, settings.readablePaths), ...linked, ...(layout.gitDir !== undefined ? [real(layout.gitDir)] : [])].filter((path) => existsSync(path) && !coversHome(path));
  // The workspace itself is hidden (its ignored files may be secrets); `/` or the home folder as a
  // workspace is covered by the rules above, not hidden whole.
  const hidden = [...new Set(layout.sources.map(real))].filter((path) => path !== '/' && path !== home);
  // No network to ask: tools that check for their own updates on every start (npm: ~150 ms a run,
  // since the sandbox's empty home has no record of the last check) are told not to.
  const quiet = { npm_config_update_notifier: 'false', NO_UPDATE_NOTIFIER: '1', npm_config_fund: 'false' };
  const built = sandboxEnvironment(env, { extraNames: settings.environment, overrides: { ...quiet, HOME: home, PWD: layout.path } });
  const scratch = real(layout.scratch);
  const policy = { cwd: layout.path, writable: [scratch], readable, privateLayers, allowedHosts: [...settings.allowedHosts], env: built.env, hidden };
  // This run's copy, in the spellings its output may use, and what it stands for.
  const workspace = layout.sources[0] ?? layout.path;
  const scrub = createOutputScrubber({
    paths: { copy: [...new Set([layout.path, real(layout.path)])], workspace, scratch, scratchFor: layout.sources[1] ?? workspace },
    secrets: secretValues(env, new Set(Object.keys(built.env))),
  });
  const memoryCapBytes = settings.memoryMb !== undefined ? settings.memoryMb * 1048576 : Math.floor(totalmem() / 2);
  return { policy, scrub, memoryCapBytes };
}
