import { homedir } from 'node:os';
import type { Sandbox, SandboxLaunch, SandboxPolicy } from './sandboxTypes';
import { bridgeScript, proxyEnvironment, startNetworkProxy, type NetworkProxy } from './networkProxy';

/**
 * macOS: Seatbelt through `/usr/bin/sandbox-exec` with a profile written per command. Seatbelt
 * applies the last rule that matches, so the profile allows by default (a deny-default profile
 * breaks too much of the system's own plumbing for a test runner), then denies, then carves out:
 * - writes: denied everywhere but the policy's writable folders, a private temp folder and the
 *   terminal devices; `privateLayers` cannot be layered here, so they stay read-only;
 * - reads: the home folder, /Users and the hidden folders (the workspace) denied, then the
 *   readable folders (linked dependencies, git objects, toolchains) allowed back;
 * - network: denied except loopback (the proxy's bridge listens there when hosts are allowed);
 * - no process outside the sandbox can be signalled or traced.
 */

/** A string literal of the profile language (backslashes and quotes escaped). */
export function sbplString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function seatbeltProfile(policy: SandboxPolicy, options: { readonly home?: string; readonly tempDir: string }): string {
  const home = options.home ?? homedir();
  const subpaths = (paths: readonly string[]): string => paths.map((path) => `(subpath ${sbplString(path)})`).join(' ');
  return [
    '(version 1)',
    '(allow default)',
    '(deny network*)',
    '(allow network* (remote ip "localhost:*") (local ip "localhost:*"))',
    '(deny file-write*)',
    `(allow file-write* ${subpaths([...policy.writable, options.tempDir])} (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper") (regex #"^/dev/tty") (regex #"^/dev/fd/"))`,
    `(deny file-read* (subpath "/Users") ${subpaths([home, ...policy.hidden])} (subpath "/private/var/run/docker.sock") (subpath "/var/run/docker.sock"))`,
    `(allow file-read* ${subpaths([...policy.readable, ...policy.writable, options.tempDir])})`,
    // Reading the metadata of the folders above a readable one lets path lookups reach it.
    '(allow file-read-metadata)',
    '(deny process-info* (target others))',
    '(deny signal (target others))',
  ].join('\n');
}

export class SeatbeltSandbox implements Sandbox {
  readonly kind = 'seatbelt' as const;
  readonly description = 'Seatbelt (macOS sandbox-exec)';

  constructor(private readonly tempDir: () => Promise<{ path: string; remove(): Promise<void> }>) {}

  async launch(command: string, policy: SandboxPolicy): Promise<SandboxLaunch> {
    const temp = await this.tempDir();
    let proxy: NetworkProxy | undefined;
    let program = ['/bin/sh', '-c', command];
    // find-cache-dir's users use the copy's node_modules/.cache, the copy's own (verify/cacheLayers.ts).
    let env: Record<string, string> = { ...policy.env, TMPDIR: temp.path, XDG_CACHE_HOME: `${temp.path}/.cache` };
    if (policy.allowedHosts.length > 0) {
      proxy = await startNetworkProxy(policy.allowedHosts);
      env = { ...env, ...proxyEnvironment(), PLUMBLINE_PROXY_SOCKET: proxy.socketPath };
      program = [process.execPath, '-e', bridgeScript, command];
    }
    // The proxy's socket is the one file outside the copy the command may open for writing.
    const profile = seatbeltProfile({ ...policy, writable: proxy !== undefined ? [...policy.writable, proxy.socketPath] : policy.writable }, { tempDir: temp.path });
    const opened = proxy;
    return {
      file: '/usr/bin/sandbox-exec',
      args: ['-p', profile, ...program],
      env,
      release: async () => {
        await opened?.close();
        await temp.remove();
      },
    };
  }
}
