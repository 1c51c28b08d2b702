import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { DEFAULT_MAX_PROCESSES } from './processLimit';
import { homedir, totalmem } from 'node:os';
import { createHash } from 'node:crypto';
import { basename, join, relative } from 'node:path';
import { homeToolchainFolders } from './homeToolchains';
import { sandboxEnvironment } from './sandboxEnvironment';
import type { SandboxPolicy } from './sandboxTypes';
import { createOutputScrubber, envFileSecrets, secretValues, type OutputScrubber } from './scrubOutput';
import { secretFileKind } from '../workspace/secretPaths';

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
  /** How many processes a command may have at once; absent: DEFAULT_MAX_PROCESSES; 0: no cap. */
  readonly maxProcesses?: number;
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
/**
 * The one path at which a sandbox that can (bubblewrap) shows every verification copy of a
 * workspace: inside its private `/tmp`, named like a copy (so output naming it maps back to the
 * workspace), after the workspace, so a cache written in one copy names the files of the next.
 */
export function seenCopyPath(workspace: string): string {
  return `/tmp/plumbline-verify-0-${createHash('sha256').update(workspace).digest('hex').slice(0, 16)}`;
}

/**
 * `seenAt`: where the sandbox shows the copy's scratch folder (`seenCopyPath`), when it can; the
 * command starts at the copy there.
 */
export function copyPolicy(layout: CopyLayout, settings: SandboxSettings, env: NodeJS.ProcessEnv = process.env, seenAt?: string): PreparedPolicy {
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
  const scratch = real(layout.scratch);
  const cwd = seenAt !== undefined ? join(seenAt, relative(layout.scratch, layout.path)) : layout.path;
  const built = sandboxEnvironment(env, { extraNames: settings.environment, overrides: { ...quiet, HOME: home, PWD: cwd } });
  const aliases = seenAt !== undefined ? [{ from: scratch, at: seenAt }] : [];
  const policy = { cwd, writable: [scratch], aliases, readable, privateLayers, allowedHosts: [...settings.allowedHosts], env: built.env, hidden, maxProcesses: settings.maxProcesses ?? DEFAULT_MAX_PROCESSES };
  // This run's copy, in the spellings its output may use, and what it stands for.
  const workspace = layout.sources[0] ?? layout.path;
  const scrub = createOutputScrubber({
    paths: { copy: [...new Set([layout.path, real(layout.path), cwd])], workspace, scratch, scratchFor: layout.sources[1] ?? workspace, ...(seenAt !== undefined ? { seenScratch: seenAt } : {}) },
    secrets: [...secretValues(env, new Set(Object.keys(built.env))), ...workspaceEnvSecrets(workspace)].sort((a, b) => b.value.length - a.value.length),
  });
  const memoryCapBytes = settings.memoryMb !== undefined ? settings.memoryMb * 1048576 : Math.floor(totalmem() / 2);
  return { policy, scrub, memoryCapBytes };
}

/**
 * The secret values of the environment files at the workspace's root (`.env`, `.env.local`…; not
 * `.env.example`): a tracked one is in the copy, where a test or a worker's command could print
 * it. The model's own tools never read these files (secretPaths.ts); this keeps their values out
 * of command output too. Read on each run, so an edited file counts; small files only.
 */
function workspaceEnvSecrets(workspace: string): { name: string; value: string }[] {
  let names: string[];
  try {
    names = readdirSync(workspace).filter((name) => secretFileKind(name) === 'an environment file');
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const path = join(workspace, name);
      const info = statSync(path);
      if (!info.isFile() || info.size > 65536) return [];
      return envFileSecrets(readFileSync(path, 'utf8')).map((secret) => ({ name: `${secret.name} (${name})`, value: secret.value }));
    } catch {
      return [];
    }
  });
}
