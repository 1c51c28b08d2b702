import { existsSync, lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Sandbox, SandboxLaunch, SandboxPolicy } from './sandboxTypes';
import { bridgeScript, proxyEnvironment, startNetworkProxy, type NetworkProxy } from './networkProxy';
import { prepareProcessLimit } from './processLimit';

/**
 * Linux: bubblewrap (Debian's and Fedora's `bubblewrap` package). Chosen over
 * `@anthropic-ai/sandbox-runtime`, which wraps the same program: its Linux filesystem policy reads
 * everything unless told otherwise (we hide the home folder wholesale and bring back a declared
 * list), its network filtering needs socat and prebuilt seccomp helpers inside the sandbox, and it
 * would add its own zod, proxy and TLS dependencies to the VSIX. bubblewrap gives us the mount
 * table directly, starts in a few milliseconds, and needs nothing else.
 *
 * The command sees:
 * - the whole disk read-only, with fresh /dev, /proc, /tmp, /var/tmp, /run and /dev/shm;
 * - the home folders (`$HOME`, /home, /root) replaced by empty folders, then the policy's
 *   readable folders (workspace, repository, toolchains) bound back read-only;
 * - the policy's writable folders (the isolated copy) bound read-write, also at their alias (the
 *   one path every copy of the workspace is seen at), and an empty private layer over each of its
 *   `privateLayers`;
 * - new user, PID, network, IPC and UTS namespaces: no capabilities, no nested user namespaces,
 *   loopback only (or a proxy to the allowed hosts), and every process it starts dies with it.
 */

/** Folders replaced by empty ones: secrets, other users' files, sockets to services (docker, dbus). */
function hiddenFolders(home: string): string[] {
  const candidates = [home, '/home', '/root', '/run', '/var/run', '/tmp', '/var/tmp', '/mnt', '/media', '/srv', '/etc/ssh'];
  return [...new Set(candidates)].filter((path) => {
    try {
      // A symbolic link (/var/run → /run) is covered by its target.
      return lstatSync(path).isDirectory();
    } catch {
      return false;
    }
  });
}

const MiB = 1024 * 1024;

/** Files readable only by root that a sandbox running as root must not read. */
const HIDDEN_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/security/opasswd'];

/** The namespace and privilege flags; `userns` false where the kernel or policy forbids user namespaces (setuid bwrap). */
export function isolationFlags(userns: boolean): string[] {
  return [
    ...(userns ? ['--unshare-user', '--disable-userns'] : []),
    '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
  ];
}

/** bwrap's arguments for `policy`, up to (not including) the command. */
export function bubblewrapArgs(policy: SandboxPolicy, options: { readonly userns: boolean; readonly home?: string; readonly proxySocket?: string }): string[] {
  const home = options.home ?? homedir();
  // Every tmpfs is memory: each gets a size, so a test filling one cannot exhaust the machine.
  const tmpfs = (folder: string, bytes: number): string[] => ['--size', String(bytes), '--tmpfs', folder];
  const args = [...isolationFlags(options.userns), '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...tmpfs('/dev/shm', 256 * MiB)];
  for (const folder of [...hiddenFolders(home), ...policy.hidden]) args.push(...tmpfs(folder, folder === '/tmp' ? 2048 * MiB : folder === home ? 512 * MiB : 64 * MiB));
  for (const file of HIDDEN_FILES) if (existsSync(file)) args.push('--ro-bind', '/dev/null', file);
  for (const folder of policy.readable) args.push('--ro-bind-try', folder, folder);
  for (const folder of policy.writable) args.push('--bind', folder, folder);
  for (const alias of policy.aliases ?? []) args.push('--bind', alias.from, alias.at);
  for (const folder of policy.privateLayers) args.push(...tmpfs(folder, 1024 * MiB));
  if (options.proxySocket !== undefined) args.push('--bind', options.proxySocket, options.proxySocket);
  args.push('--chdir', policy.cwd);
  return args;
}

export class BubblewrapSandbox implements Sandbox {
  readonly kind = 'bubblewrap' as const;

  constructor(
    private readonly bwrap: string,
    readonly description: string,
    private readonly userns: boolean,
  ) {}

  async launch(command: string, policy: SandboxPolicy): Promise<SandboxLaunch> {
    let proxy: NetworkProxy | undefined;
    let program = ['/bin/sh', '-c', command];
    // XDG tools' caches land in the private /tmp. find-cache-dir's users (Babel, nyc, AVA) use the
    // copy's node_modules/.cache, the copy's own folder that the verifier seeds (verify/cacheLayers.ts).
    let env: Record<string, string> = { ...policy.env, TMPDIR: '/tmp', XDG_CACHE_HOME: '/tmp/.cache' };
    if (policy.allowedHosts.length > 0) {
      proxy = await startNetworkProxy(policy.allowedHosts);
      // Inside the sandbox only loopback exists: a bridge on it carries proxy traffic to the
      // socket, and starts the command once it listens.
      env = { ...env, ...proxyEnvironment(), PLUMBLINE_PROXY_SOCKET: proxy.socketPath };
      program = [process.execPath, '-e', bridgeScript, command];
    }
    const args = [...bubblewrapArgs(policy, { userns: this.userns, ...(proxy !== undefined ? { proxySocket: proxy.socketPath } : {}) }), '--', ...program];
    const opened = proxy;
    // A cap on the command's processes (a fork bomb takes the machine's PIDs, not only the sandbox's).
    const limit = await prepareProcessLimit(policy.maxProcesses);
    const release = async (): Promise<void> => {
      await Promise.all([opened?.close(), limit?.release()]);
    };
    if (limit === undefined) return { file: this.bwrap, args, env, release };
    return { file: '/bin/sh', args: ['-c', limit.script, ...limit.scriptArgs, this.bwrap, ...args], env, processCap: { max: limit.max, hit: () => limit.hit() }, release };
  }
}
