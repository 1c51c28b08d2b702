import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/**
 * The home folder is hidden from sandboxed commands: it holds keys (`~/.ssh`, `~/.aws`,
 * `~/.config/gh`, `~/.npmrc`, `~/.netrc`, `~/.docker/config.json`, keychains, browser profiles) and
 * other projects. Only these folders come back, read-only, because toolchains installed per user
 * live there and a test run needs them. Each entry is a program or a package cache, never a
 * configuration file that may hold a credential (so `~/.cargo/bin` and `~/.cargo/registry`, not
 * `~/.cargo` with its `credentials.toml`; `~/.m2/repository`, not `~/.m2/settings.xml`).
 */
export const HOME_TOOLCHAINS: readonly string[] = [
  // Node.js version managers and runtimes
  '.nvm/versions', '.nvm/nvm.sh', '.volta/bin', '.volta/tools', '.fnm', '.local/share/fnm', '.n', '.bun/bin', '.deno/bin',
  // Python
  '.pyenv', '.local/share/uv', '.local/lib', '.local/bin', 'miniconda3', 'anaconda3', '.conda/envs',
  // Rust
  '.rustup', '.cargo/bin', '.cargo/registry', '.cargo/git',
  // Go
  'go/pkg/mod', 'sdk', '.go',
  // Java and the JVM
  '.sdkman/candidates', '.m2/repository', '.gradle/caches', '.gradle/wrapper/dists', '.jdks',
  // Ruby, and the polyglot managers
  '.rbenv', '.rvm/rubies', '.gem', '.asdf/installs', '.asdf/shims', '.local/share/mise/installs', '.local/share/mise/shims',
  // Browsers that end-to-end suites download for themselves
  '.cache/ms-playwright', '.cache/puppeteer', '.cache/Cypress',
];

function inside(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return path !== '' && path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path);
}

function resolved(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The folders under `home` a sandboxed command may read: the declared toolchains that exist,
 * `extra` (the user's `plumbline.sandbox.readablePaths`), and the folder of the Node.js running
 * Plumbline and of each PATH entry when they lie under home (a toolchain installed there by hand).
 * The home folder itself never comes back whole.
 */
export function homeToolchainFolders(home: string, path: string | undefined, extra: readonly string[] = []): string[] {
  const found = new Set<string>();
  const add = (candidate: string): void => {
    const real = resolved(candidate);
    if (real === undefined || real === home) return;
    found.add(real);
  };
  for (const entry of HOME_TOOLCHAINS) {
    const candidate = join(home, entry);
    if (existsSync(candidate)) add(candidate);
  }
  for (const entry of extra) add(entry.startsWith('~/') ? join(home, entry.slice(2)) : entry);
  // The runtime that runs Plumbline (and the project's own node under nvm, say): its install folder.
  const runtime = dirname(dirname(process.execPath));
  if (inside(home, runtime)) add(runtime);
  for (const entry of (path ?? '').split(':')) {
    // Only absolute entries, below home, that are not home itself nor a folder holding keys.
    if (!isAbsolute(entry) || !inside(home, entry)) continue;
    if (/(^|\/)\.(ssh|aws|gnupg|config|docker|kube|azure)(\/|$)/.test(relative(home, entry))) continue;
    add(entry);
  }
  return [...found].sort();
}
