import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { homedir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import { userCacheFolder } from './userCacheFolder';

/**
 * Loads one of Plumbline's CommonJS bundles (`dist/cli-main.js`, `dist/server-main.js`, the lazily
 * loaded `dist/sdk-*.js`) with a V8 code cache, so a start after the first skips most of the
 * parsing and compiling of a megabyte of JavaScript (the agent server's: about 130 ms → 80 ms on a
 * 2-core machine). Node 20 has no built-in compile cache (`module.enableCompileCache` is 22.1+).
 *
 * The cache is code, so it is keyed by the bundle's bytes, not its name: V8 itself checks only the
 * source's length and its own version and flags before using one. It lives in the user's cache
 * folder (never the workspace; sandboxed commands see an empty home), is written once per bundle
 * version, a few seconds after the start so it holds the functions a run's first steps compiled,
 * and any trouble (unreadable, rejected, unwritable) falls back to compiling as Node would.
 * A cache folder or file another user could write is neither read nor written.
 * `PLUMBLINE_CODE_CACHE=off` turns it off; `PLUMBLINE_CODE_CACHE=/dir` moves it.
 */

/** How long after loading the cache is written: the first model request is out well before. */
const WRITE_AFTER_MS = 3000;

/** The folder for code caches, or undefined when turned off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string | undefined {
  const setting = env.PLUMBLINE_CODE_CACHE;
  if (setting === 'off' || setting === '0') return undefined;
  if (setting !== undefined && isAbsolute(setting)) return setting;
  return join(userCacheFolder(env, platform, home), 'code-cache');
}

/**
 * The cache file's name: the bundle's name, the runtime (Node and V8: the CLI's Node and VS Code's
 * Electron keep one each), then a digest of the bundle's bytes.
 */
export function codeCacheName(bundle: string, source: string, runtime = `${process.version} ${process.arch} ${process.versions.v8}`): string {
  const tag = createHash('sha256').update(runtime).digest('hex').slice(0, 8);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 24);
  return `${basename(bundle).replace(/\.js$/, '')}-${tag}-${digest}.bin`;
}

/**
 * Whether a folder or file may hold code this process runs: the current user's, and writable by no
 * one else (an XDG_CACHE_HOME under /tmp must not let another user plant a cache). Windows: its
 * per-user profile folders are private already.
 */
function ownedPrivately(path: string): boolean {
  if (process.platform === 'win32') return true;
  const info = statSync(path);
  return info.uid === process.getuid?.() && (info.mode & 0o022) === 0;
}

function readCache(folder: string, name: string): Buffer | undefined {
  try {
    const path = join(folder, name);
    if (!ownedPrivately(folder) || !ownedPrivately(path)) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically and removes the caches of the same bundle's other versions on this runtime. Best effort. */
function writeCache(folder: string, name: string, data: Buffer): void {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Never into a folder another user could write: the next start would not read it anyway.
    if (!ownedPrivately(folder)) return;
    const temporary = join(folder, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, join(folder, name));
    const prefix = name.slice(0, name.lastIndexOf('-') + 1);
    for (const other of readdirSync(folder)) {
      if (other !== name && other.startsWith(prefix) && other.endsWith('.bin')) rmSync(join(folder, other), { force: true });
    }
  } catch {
    // A cache that cannot be written is a slower next start, nothing more.
  }
}

export interface LoadedBundle {
  readonly exports: unknown;
  /** Whether a cache was found and V8 took it. */
  readonly cacheUsed: boolean;
}

/**
 * Runs the bundle `name` in `folder` as Node's loader would (module, exports, require, __filename,
 * __dirname) and returns its exports. `writeAfterMs` 0 writes a missing cache at once (tests).
 */
export function loadBundle(folder: string, name: string, options: { readonly env?: NodeJS.ProcessEnv; readonly writeAfterMs?: number } = {}): LoadedBundle {
  const filename = join(folder, name);
  const source = readFileSync(filename, 'utf8');
  const cacheFolder = codeCacheDir(options.env ?? process.env);
  const cacheName = codeCacheName(name, source);
  const cachedData = cacheFolder !== undefined ? readCache(cacheFolder, cacheName) : undefined;
  // A shebang line (the CLI's) is not JavaScript inside the wrapper.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new Script(wrap(body), { filename, ...(cachedData !== undefined ? { cachedData } : {}) });
  const cacheUsed = cachedData !== undefined && script.cachedDataRejected !== true;
  const module = { exports: {} as unknown, filename, id: filename, loaded: false };
  const compiled = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  if (cacheFolder !== undefined && !cacheUsed) {
    // Once: a few seconds in, or at exit if that comes first (a short command's functions count too).
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      process.removeListener('exit', write);
      writeCache(cacheFolder, cacheName, script.createCachedData());
    };
    const after = options.writeAfterMs ?? WRITE_AFTER_MS;
    if (after > 0) {
      setTimeout(write, after).unref();
      process.once('exit', write);
    } else {
      queueMicrotask(write);
    }
  }
  compiled.call(module.exports, module.exports, createRequire(filename), module, filename, folder);
  module.loaded = true;
  return { exports: module.exports, cacheUsed };
}
