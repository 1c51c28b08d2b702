import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { BubblewrapSandbox, isolationFlags } from './bubblewrap';
import { SeatbeltSandbox, seatbeltProfile } from './seatbelt';
import type { SandboxAvailability, SandboxMissing } from './sandboxTypes';

/**
 * Which sandbox this machine offers, found once per process. Linux: bubblewrap, proved by running
 * `true` inside the same namespaces a real command gets (a container may forbid them). macOS:
 * sandbox-exec. Elsewhere, or when the probe fails, a `SandboxMissing` that says why and what to
 * do; callers fail closed on it.
 *
 * `PLUMBLINE_TEST_SANDBOX_UNAVAILABLE=1` in the server's environment makes it report none: a test
 * switch for the fail-closed paths, never a way to run unconfined silently.
 */

export const UNAVAILABLE_SWITCH = 'PLUMBLINE_TEST_SANDBOX_UNAVAILABLE';

const installBubblewrap =
  'Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch); then restart the agent server (Plumbline: Restart Agent Server) or run the CLI again.';

function run(file: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** An executable named `name` in an absolute PATH entry or the usual system folders; relative entries ('.') are never searched. */
function findProgram(name: string, path: string | undefined): string | undefined {
  const folders = [...(path ?? '').split(':').filter((entry) => isAbsolute(entry)), '/usr/bin', '/usr/local/bin', '/bin'];
  for (const folder of folders) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

async function detectLinux(env: NodeJS.ProcessEnv): Promise<SandboxAvailability> {
  const bwrap = findProgram('bwrap', env.PATH);
  if (bwrap === undefined) return { kind: 'none', reason: 'bubblewrap (bwrap) is not installed.', remedy: installBubblewrap };
  const version = (await run(bwrap, ['--version'])).output.split('\n')[0] ?? 'bubblewrap';
  const probe = (userns: boolean): Promise<{ ok: boolean; output: string }> =>
    run(bwrap, [...isolationFlags(userns), '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', '/bin/true']);
  // A setuid bwrap (some distributions) refuses a user namespace; its other namespaces still confine.
  for (const userns of [true, false]) {
    if ((await probe(userns)).ok) return new BubblewrapSandbox(bwrap, `${version} (Linux namespaces${userns ? '' : ', setuid'})`, userns);
  }
  const failure = (await probe(true)).output.split('\n')[0] ?? '';
  return {
    kind: 'none',
    reason: `bubblewrap is installed but cannot create namespaces here${failure !== '' ? ` (${failure})` : ''}.`,
    remedy:
      'Allow unprivileged user namespaces (on Ubuntu 24.04 and later: an AppArmor profile for bwrap, or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`), or run Plumbline outside this container.',
  };
}

async function detectNow(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<SandboxAvailability> {
  if (env[UNAVAILABLE_SWITCH] === '1') return { kind: 'none', reason: `No sandbox: ${UNAVAILABLE_SWITCH} is set (a test switch).`, remedy: `Unset ${UNAVAILABLE_SWITCH}.` };
  if (platform === 'linux') return detectLinux(env);
  if (platform === 'darwin') {
    try {
      accessSync('/usr/bin/sandbox-exec', constants.X_OK);
    } catch {
      return { kind: 'none', reason: '/usr/bin/sandbox-exec is missing.', remedy: 'Reinstall macOS command line tools, or review changes before their tests run.' };
    }
    const tempDir = async (): Promise<{ path: string; remove(): Promise<void> }> => {
      const path = await mkdtemp(join(tmpdir(), 'plumbline-sandbox-tmp-'));
      return { path, remove: () => rm(path, { recursive: true, force: true }) };
    };
    // The profile this machine's sandbox-exec must accept: one like every command's, tried once.
    const probe = await tempDir();
    try {
      const policy = { cwd: probe.path, writable: [probe.path], readable: [], hidden: [], privateLayers: [], allowedHosts: [], env: {} };
      const tried = await run('/usr/bin/sandbox-exec', ['-p', seatbeltProfile(policy, { tempDir: probe.path }), '/usr/bin/true']);
      if (!tried.ok) return { kind: 'none', reason: `sandbox-exec refused Plumbline's profile (${tried.output.split('\n')[0] ?? 'no message'}).`, remedy: 'Report this with your macOS version; meanwhile review changes before their tests run.' };
    } finally {
      await probe.remove();
    }
    return new SeatbeltSandbox(tempDir);
  }
  const missing: SandboxMissing = {
    kind: 'none',
    reason: `Plumbline has no sandbox for ${platform === 'win32' ? 'Windows' : platform}.`,
    remedy: platform === 'win32' ? 'Open the folder in WSL (the WSL extension of VS Code, or the CLI inside WSL) with bubblewrap installed there.' : 'Run Plumbline on Linux with bubblewrap, or on macOS.',
  };
  return missing;
}

let detected: { key: string; found: Promise<SandboxAvailability> } | undefined;

/** The sandbox of this machine (probed once per process and environment switch). */
export function detectSandbox(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<SandboxAvailability> {
  const key = `${platform}:${env[UNAVAILABLE_SWITCH] ?? ''}:${env.PATH ?? ''}`;
  if (detected?.key !== key) detected = { key, found: detectNow(env, platform) };
  return detected.found;
}
