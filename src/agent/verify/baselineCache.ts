import { createHash } from 'node:crypto';
import { userCacheFolder } from '../../boot/userCacheFolder';
import { lstat, mkdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { testEvidenceSchema, type TestEvidence } from '../../protocol/testEvidence';
import { runGit } from '../gitProcess';
import { copySeed, removeSeed } from './cacheLayers';
import { listFiles } from './isolationGit';
import type { TestSummary } from './parseTestOutput';

/**
 * Baselines kept between runs: the suite's result on a tree, reused for a day when the tree, the
 * command and the installed dependencies are the same, so a second run on the same code does not
 * pay for the suite before its first step.
 *
 * The key is what the copy holds, hashed: every file git lists there (tracked and untracked, not
 * ignored: the user's uncommitted work and unsaved buffers included) by path, mode and content,
 * the exact command, and the dependency lock files (the project's and the package manager's record
 * of what is installed). The files live outside the workspace, in the user's cache folder, which
 * the sandbox hides from test runs. They are read as untrusted all the same: a file that does not
 * parse, names another key or command, is older than a day or dated in the future is ignored and
 * removed. A baseline only ever makes failures look pre-existing, so a planted one would hide new
 * failures: that is why the folder must be out of reach of what tests run (see SECURITY.md).
 */

/** How long a cached baseline is trusted. */
export const BASELINE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const VERSION = 1;

/** Lock files that say which dependencies the tests run against (at the root, and the installed record). */
const LOCK_FILES = [
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb',
  'node_modules/.package-lock.json', 'node_modules/.modules.yaml', 'node_modules/.yarn-state.yml',
  'Cargo.lock', 'go.sum', 'poetry.lock', 'uv.lock', 'Pipfile.lock', 'Gemfile.lock', 'composer.lock',
];

/** Past this a lock file is known by its size and time, not read. */
const MAX_LOCK_BYTES = 64 * 1024 * 1024;

const summarySchema = z.object({
  passed: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative().optional(),
  skipped: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  failures: z.array(z.object({ name: z.string(), file: z.string().optional(), line: z.number().int().optional(), message: z.string().optional() })).max(100_000),
  tests: z.array(z.object({ name: z.string(), file: z.string().optional(), status: z.enum(['passed', 'failed', 'skipped']), wholeFile: z.literal(true).optional() })).max(1_000_000).optional(),
  format: z.string().optional(),
});

const entrySchema = z.strictObject({
  version: z.literal(VERSION),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  command: z.string(),
  createdAt: z.iso.datetime(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  summary: summarySchema,
  evidence: testEvidenceSchema,
});

/** A baseline as kept: the run's result, its summary and its evidence. */
export interface CachedBaseline {
  readonly createdAt: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly summary: TestSummary;
  readonly evidence: TestEvidence;
}

/** The user's cache folder for baselines: XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, LOCALAPPDATA on Windows. */
export function defaultBaselineCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  return join(userCacheFolder(env, platform, home), 'baselines');
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The key of the tree in `copyPath` (a verification copy inside a git work tree) tested by
 * `command`, with the lock files found in the copy or, for ignored ones, in `root`. Undefined
 * where git lists nothing (no repository): such a tree is not cached.
 */
export async function baselineKey(copyPath: string, root: string, command: string): Promise<string | undefined> {
  const listed = await listFiles(copyPath, true).catch(() => undefined);
  if (listed === undefined || listed.length === 0) return undefined;
  // listFiles names paths from the work tree's top; the copy's top is the same tree's top.
  const top = (await topOf(copyPath)) ?? copyPath;
  const paths = [...new Set(listed)].sort();
  const tree = createHash('sha256');
  for (let start = 0; start < paths.length; start += 64) {
    const parts = await Promise.all(paths.slice(start, start + 64).map(async (path) => `${path}\0${await fileDigest(join(top, path))}\n`));
    for (const part of parts) tree.update(part);
  }
  const locks = await Promise.all(LOCK_FILES.map(async (name) => `${name}\0${(await contentDigest(join(copyPath, name))) ?? (await contentDigest(join(root, name))) ?? '-'}\n`));
  return sha256(`plumbline-baseline ${VERSION}\n${tree.digest('hex')}\n${command}\n${locks.join('')}`);
}

async function topOf(copyPath: string): Promise<string | undefined> {
  const top = await runGit(copyPath, ['rev-parse', '--show-toplevel']).catch(() => undefined);
  return top?.trim() || undefined;
}

/** The content hash of a file, through links (the copy links the user's installed dependencies); undefined when it cannot be read. */
async function contentDigest(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  if (info.size > MAX_LOCK_BYTES) return `large:${String(info.size)}:${String(info.mtimeMs)}`;
  const bytes = await readFile(path).catch(() => undefined);
  return bytes === undefined ? undefined : sha256(bytes);
}

/** `mode:content hash` of a file, `link:target` of a link, undefined when it is missing. */
async function fileDigest(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.isSymbolicLink()) return `link:${await readlink(path).catch(() => '')}`;
  if (!info.isFile()) return 'other';
  const executable = (info.mode & 0o111) !== 0 ? 'x' : '-';
  return `${executable}:${sha256(await readFile(path))}`;
}

/** Baselines in `dir`, by key. */
export class BaselineCache {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The baseline kept for `key` and `command`, or undefined (none, or one that cannot be trusted: then it is removed). */
  async read(key: string, command: string): Promise<CachedBaseline | undefined> {
    const file = this.#file(key);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = entrySchema.safeParse(safeJson(text));
    const age = parsed.success ? this.now() - Date.parse(parsed.data.createdAt) : Number.NaN;
    if (!parsed.success || parsed.data.key !== key || parsed.data.command !== command || !(age >= 0 && age <= BASELINE_MAX_AGE_MS)) {
      await rm(file, { force: true }).catch(() => undefined);
      await removeSeed(this.#caches(key)).catch(() => undefined);
      return undefined;
    }
    const { createdAt, exitCode, durationMs, summary, evidence } = parsed.data;
    return { createdAt, exitCode, durationMs, summary: summaryOf(summary), evidence };
  }

  /** Keeps a baseline (best effort: a cache that cannot be written only costs the next run a suite). */
  async write(key: string, command: string, baseline: Omit<CachedBaseline, 'createdAt'>): Promise<void> {
    const entry = { version: VERSION, key, command, createdAt: new Date(this.now()).toISOString(), ...baseline };
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      // Caches kept for this key belong to the baseline being replaced.
      await removeSeed(this.#caches(key));
      const temporary = `${this.#file(key)}.${String(process.pid)}.tmp`;
      await writeFile(temporary, JSON.stringify(entry), { mode: 0o600 });
      await rename(temporary, this.#file(key));
    } catch {
      // Not kept: the next run on this tree runs the suite.
    }
  }

  /**
   * Keeps the tools' caches the baseline's run left (the verifier's seed, cacheLayers.ts) beside
   * the baseline, so a run that reuses the baseline starts its steps from them too. Call after
   * `write`, and only with caches the seeding rules allowed. Best effort.
   */
  async writeCaches(key: string, seed: string): Promise<void> {
    const temporary = `${this.#caches(key)}.${String(process.pid)}.tmp`;
    try {
      await removeSeed(temporary);
      if (!(await copySeed(seed, temporary))) throw new Error('not kept');
      await removeSeed(this.#caches(key));
      await rename(temporary, this.#caches(key));
    } catch {
      await removeSeed(temporary).catch(() => undefined);
    }
  }

  /**
   * Copies the caches kept with the baseline for `key` into `into` (a fresh folder of the run's):
   * false when none are kept. Only after `read` accepted that baseline.
   */
  async readCaches(key: string, into: string): Promise<boolean> {
    return copySeed(this.#caches(key), into).catch(() => false);
  }

  #caches(key: string): string {
    return join(this.dir, `${key}.caches`);
  }

  #file(key: string): string {
    return join(this.dir, `${key}.json`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The parsed summary as the verifier's type (absent keys stay absent). */
function summaryOf(parsed: z.infer<typeof summarySchema>): TestSummary {
  const { passed, failed, skipped, total, failures, tests, format } = parsed;
  return {
    ...(passed !== undefined ? { passed } : {}),
    ...(failed !== undefined ? { failed } : {}),
    ...(skipped !== undefined ? { skipped } : {}),
    ...(total !== undefined ? { total } : {}),
    failures: failures.map((failure) => ({ name: failure.name, ...(failure.file !== undefined ? { file: failure.file } : {}), ...(failure.line !== undefined ? { line: failure.line } : {}), ...(failure.message !== undefined ? { message: failure.message } : {}) })),
    ...(tests !== undefined ? { tests: tests.map((record) => ({ name: record.name, status: record.status, ...(record.file !== undefined ? { file: record.file } : {}), ...(record.wholeFile === true ? { wholeFile: true as const } : {}) })) } : {}),
    format,
  };
}
