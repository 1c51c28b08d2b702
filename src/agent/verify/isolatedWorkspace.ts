import { lstat, mkdir, readdir, realpath, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { StagedChange } from '../workspace/stagedWorkspace';
import { captureSeed, emptyCacheFolders, laySeed } from './cacheLayers';
import { copyListed, copyWalk, createCopyContext, foldersHolding, isInside, linkCandidates, mirroredCacheNames, type CopyContext } from './isolationCopy';
import { addWorktree, forgetAdminDir, forgetOwnWorktree, listFiles, listIgnored, listOwnWorktrees, probeRepo, removeWorktree, worktreeAdminDir, type RepoInfo } from './isolationGit';
import { FileJournal } from './isolationJournal';
import { snapshotFolder, sweepFolder, type Snapshot, type SweepResult } from './isolationSweep';
import type { CopyLayout } from '../sandbox/sandboxPolicy';
import { checkRelativePath, createScratch, defaultLinkFolders, defaultScratchDir, isolationPid, isProcessAlive, IsolationError } from './isolationPaths';

export { IsolationError, defaultLinkFolders } from './isolationPaths';

/**
 * Where an increment is verified: a copy of the workspace as the user has it now (uncommitted
 * edits, untracked files, unsaved buffers), in which the project's tests may run and write freely
 * while the user's folder, branch, index and stash stay exactly as they are.
 *
 * Inside a git work tree the copy is a detached worktree of HEAD added with --no-checkout (no hook,
 * no smudge filter runs) whose files are then copied from the user's working tree: what git lists
 * (tracked files, and under the workspace folder untracked ones it does not ignore), so the copy
 * has the working-tree bytes the user sees. Tracked files outside a workspace subfolder are copied
 * too; untracked ones there are not (the walk could be a home folder). Elsewhere it is a plain copy.
 */

export interface IsolationOptions {
  /** The user's workspace folder. */
  readonly root: string;
  /** Unsaved editor buffers: relative path → text. Their content is what gets verified. */
  readonly buffers?: ReadonlyMap<string, string>;
  /** Folders to link rather than copy (default: defaultLinkFolders). */
  readonly linkFolders?: readonly string[];
  /** Where to put copies (default os.tmpdir()/plumbline-verify). */
  readonly scratchDir?: string;
}

export interface IsolatedWorkspace {
  /** Run commands here: the copy of the workspace root. */
  readonly path: string;
  readonly kind: 'git-worktree' | 'copy';
  /** Makes the copy's files equal to base state + these changes (idempotent; call before each verification). */
  apply(changes: readonly StagedChange[]): Promise<void>;
  /** Resets the files previous `apply` calls changed to the base state (the workspace at creation, buffers included). */
  reset(): Promise<void>;
  /** Removes the copy and its worktree registration; linked folders lose the link, never their content. */
  dispose(): Promise<void>;
  /** Where the copy's parts are, for the sandbox's policy. */
  layout(): Promise<CopyLayout>;
  /** Remembers the copy's files before a command runs in it (once; later sweeps keep it current). */
  watch(): Promise<void>;
  /**
   * After a command ran: removes what it added and reports what it changed that was there before
   * (then the copy cannot be trusted for another run: dispose it and make a new one).
   */
  sweep(): Promise<SweepResult>;
  /**
   * Before a run: the copy's tool cache folders emptied, then given a fresh copy of `seed` (the
   * baseline's caches, see cacheLayers.ts) when there is one.
   */
  prepareCaches(seed: string | undefined): Promise<void>;
  /** After the baseline's run: its caches copied into `seed`; false when they were too big to keep. */
  captureCaches(seed: string): Promise<boolean>;
  /** After a run: what it wrote into the cache folders thrown away. */
  emptyCaches(): Promise<void>;
}

interface Worktree {
  readonly top: string;
  adminDir: string | undefined;
}

/**
 * Removes a copy: first the links (so nothing can reach through them), then the folder and
 * registration. A link is removed only where its folder still resolves inside the copy: a run may
 * have swapped a folder holding links (the copy's `node_modules`) for a link to the user's, and
 * unlinking through it would remove the user's own entries (pnpm's links).
 */
async function discard(scratch: string, links: readonly string[], worktree: Worktree | undefined): Promise<void> {
  const home = await realpath(scratch).catch(() => scratch);
  for (const link of links) {
    const folder = await realpath(dirname(link)).catch(() => undefined);
    if (folder !== undefined && isInside(home, folder)) await unlink(link).catch(() => undefined);
  }
  if (worktree?.adminDir !== undefined) await forgetOwnWorktree(scratch, worktree.adminDir);
  else if (worktree !== undefined) await removeWorktree(worktree.top, scratch, worktree.adminDir);
  await rm(scratch, { recursive: true, force: true });
}

function relativeTo(prefix: string, path: string): string | undefined {
  if (prefix === '') return path;
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
}

/** The folders from the top down to the workspace root, each with every link-folder name under it. */
function ancestorCandidates(prefix: string, names: Iterable<string>): string[] {
  const segments = prefix.split('/');
  const candidates: string[] = [];
  for (let depth = 0; depth < segments.length; depth++) {
    const base = segments.slice(0, depth).join('/');
    for (const name of names) candidates.push(base === '' ? name : `${base}/${name}`);
  }
  return candidates;
}

async function populateWorktree(repo: RepoInfo & { head: string }, inside: readonly string[], ignoredListing: Promise<string[]>, context: CopyContext, worktree: Worktree, prepared: boolean): Promise<void> {
  // Listing runs while git adds the worktree (unless prepareIsolation did); both settle before
  // anything else, so a failure is never cleaned up while git is still writing.
  const [added, listed] = await Promise.allSettled([
    prepared ? Promise.resolve() : addWorktree(repo.top, context.copyScope, repo.head),
    Promise.all([
      repo.prefix === '' ? [] : listFiles(repo.top, false).then((paths) => paths.filter((path) => relativeTo(repo.prefix, path) === undefined)),
      ignoredListing,
    ]),
  ]);
  if (added.status === 'rejected') throw added.reason;
  if (listed.status === 'rejected') throw listed.reason;
  const [outside, ignored] = listed.value;
  worktree.adminDir ??= await worktreeAdminDir(context.copyScope);
  const files = [...outside, ...inside];
  await copyListed(context, repo.top, context.copyScope, files);
  const candidates = repo.prefix === '' ? ignored : [...ancestorCandidates(repo.prefix, context.linkNames), ...ignored];
  await linkCandidates(context, candidates, foldersHolding(files));
}

/** A repository without commits: a copy of the workspace root holding what git lists there. */
async function populateFromListing(repo: RepoInfo, inside: readonly string[], ignoredListing: Promise<string[]>, context: CopyContext): Promise<void> {
  const strip = (paths: readonly string[]): string[] => paths.flatMap((path) => relativeTo(repo.prefix, path) ?? []);
  const files = strip(inside);
  await copyListed(context, context.sourceScope, context.copyScope, files);
  await linkCandidates(context, strip(await ignoredListing), foldersHolding(files));
}

/** Writes unsaved buffers into the copy; one inside a linked folder (or replacing a link) is left out. */
async function writeBuffers(path: string, buffers: readonly (readonly [string, string])[]): Promise<void> {
  const journal = new FileJournal(path);
  for (const [relative, text] of buffers) {
    const target = join(path, relative);
    try {
      await journal.check(relative);
    } catch (error) {
      if (error instanceof IsolationError) continue;
      throw error;
    }
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink() === true) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

/**
 * The part of a git-worktree copy that depends on the commit alone, made ahead of time (while the
 * orchestrator plans): the scratch folder, and a detached worktree of HEAD with HEAD's index but no
 * files. None of the user's bytes are in it: `createIsolatedWorkspace` copies those when it is
 * called, and uses this only if the repository, the folder's place in it and HEAD are still the
 * same; otherwise it discards it and starts afresh.
 */
export interface PreparedIsolation {
  readonly root: string;
  readonly repo: RepoInfo & { readonly head: string };
  readonly scratch: string;
  readonly adminDir: string | undefined;
  /** Removes the worktree and its folder (when it was not used). */
  discard(): Promise<void>;
}

/** Prepares a git-worktree copy of `root` (undefined outside a repository with commits). */
export async function prepareIsolation(options: Pick<IsolationOptions, 'root' | 'scratchDir'> & { readonly repo?: Promise<RepoInfo | undefined> }): Promise<PreparedIsolation | undefined> {
  const root = await realpath(resolve(options.root));
  // A probe made moments ago for the same root (the run's): createIsolatedWorkspace probes again
  // before it uses what is prepared here.
  const repo = await (options.repo ?? probeRepo(root));
  if (repo?.head === undefined) return undefined;
  const head = repo.head;
  const scratch = await createScratch(options.scratchDir);
  const worktree: Worktree = { top: repo.top, adminDir: undefined };
  try {
    if (isInside(repo.top, scratch)) throw new IsolationError(`scratchDir must lie outside the workspace and its repository: ${scratch}`);
    await addWorktree(repo.top, scratch, head);
    worktree.adminDir = await worktreeAdminDir(scratch);
    return { root, repo: { ...repo, head }, scratch, adminDir: worktree.adminDir, discard: () => discard(scratch, [], worktree) };
  } catch (error) {
    await discard(scratch, [], worktree).catch(() => undefined);
    throw error;
  }
}

export async function createIsolatedWorkspace(options: IsolationOptions, prepared?: PreparedIsolation): Promise<IsolatedWorkspace> {
  const root = await realpath(resolve(options.root));
  const buffers = [...(options.buffers ?? new Map<string, string>())].map(([path, text]) => [checkRelativePath(path), text] as const);
  const linkNames = new Set(options.linkFolders ?? defaultLinkFolders);
  // The listing starts with the probe (it fails harmlessly outside a work tree): git start-ups
  // are most of what isolation costs.
  const listing = listFiles(root, true);
  listing.catch(() => undefined);
  // What git ignores here (dependency folders to link rather than copy): asked at the same time.
  const ignoredListing = listIgnored(root);
  ignoredListing.catch(() => undefined);
  const [repo, fresh] = await Promise.all([probeRepo(root), prepared === undefined ? createScratch(options.scratchDir) : undefined]);
  const inside = repo === undefined ? [] : await listing.catch(async (error: unknown) => {
    if (fresh !== undefined) await rm(fresh, { recursive: true, force: true });
    await prepared?.discard().catch(() => undefined);
    throw error;
  });
  // The prepared worktree serves only the same repository, folder and commit, and only for a copy
  // that is a worktree; the files are copied below either way.
  const reused =
    prepared !== undefined && repo?.head !== undefined && inside.length > 0 && prepared.root === root && prepared.repo.top === repo.top && prepared.repo.prefix === repo.prefix && prepared.repo.head === repo.head
      ? prepared
      : undefined;
  if (prepared !== undefined && reused === undefined) await prepared.discard().catch(() => undefined);
  const scratch = reused?.scratch ?? fresh ?? (await createScratch(options.scratchDir));
  const links: string[] = [];
  const shells: string[] = [];
  const mirrors: string[] = [];
  const userCaches: string[] = [];
  const context = (source: string): CopyContext => createCopyContext(source, scratch, linkNames, links, shells, mirrors, userCaches);
  let worktree: Worktree | undefined;
  try {
    // A copy inside what it copies would copy itself, and git would see it as untracked files.
    if (isInside(repo?.top ?? root, scratch)) throw new IsolationError(`scratchDir must lie outside the workspace and its repository: ${scratch}`);
    let path = scratch;
    if (repo?.head !== undefined && inside.length > 0) {
      worktree = { top: repo.top, adminDir: reused?.adminDir };
      await populateWorktree({ ...repo, head: repo.head }, inside, ignoredListing, context(repo.top), worktree, reused !== undefined);
      path = join(scratch, repo.prefix);
      await mkdir(path, { recursive: true });
    } else if (repo !== undefined && inside.length > 0) {
      await populateFromListing(repo, inside, ignoredListing, context(root));
    } else {
      // Not in a repository, or one that lists nothing here (say, a home folder under git that ignores it).
      await copyWalk(context(root), root, scratch);
    }
    await writeBuffers(path, buffers);
    const sources = [...new Set([root, ...(repo !== undefined ? [repo.top] : [])])];
    const adminDir = worktree?.adminDir;
    const inScratch = (folder: string): string => relative(scratch, folder).split(sep).join('/');
    const caches = mirrors.flatMap((mirror) => mirroredCacheNames.map((name) => inScratch(join(mirror, name))));
    const layout = { scratch, path, sources, links, shells, caches, userCaches: new Set(userCaches.map(inScratch)), ...(adminDir !== undefined ? { gitDir: dirname(dirname(adminDir)) } : {}) };
    return new Isolation(path, worktree === undefined ? 'copy' : 'git-worktree', () => discard(scratch, links, worktree), layout);
  } catch (error) {
    await discard(scratch, links, worktree).catch(() => undefined);
    throw error;
  }
}

interface IsolationLayout {
  readonly scratch: string;
  readonly path: string;
  readonly sources: readonly string[];
  readonly links: readonly string[];
  /** The user's folders mirrored entry by entry (their entries are among `links`). */
  readonly shells: readonly string[];
  /** The tool cache folders of the copy's mirrored folders, relative to `scratch` (cacheLayers.ts). */
  readonly caches: readonly string[];
  /** Those of them the user has: the copy keeps an empty one. */
  readonly userCaches: ReadonlySet<string>;
  readonly gitDir?: string;
}

class Isolation implements IsolatedWorkspace {
  readonly #journal: FileJournal;
  readonly #discard: () => Promise<void>;
  /** One operation at a time: an apply must not interleave with a reset or the disposal. */
  #queue: Promise<unknown> = Promise.resolve();
  #disposal: Promise<void> | undefined;

  readonly #layout: IsolationLayout;
  #snapshot: Snapshot | undefined;

  constructor(readonly path: string, readonly kind: 'git-worktree' | 'copy', discardCopy: () => Promise<void>, layout: IsolationLayout) {
    this.#journal = new FileJournal(path);
    this.#discard = discardCopy;
    this.#layout = layout;
  }

  async layout(): Promise<CopyLayout> {
    const { links, shells, caches: _caches, userCaches: _userCaches, ...rest } = this.#layout;
    // The links point at the user's folders: those are what the sandbox must let the command read
    // (a mirrored folder as a whole, not each of its entries).
    const mirrored = await Promise.all(shells.map((shell) => realpath(shell).catch(() => shell)));
    const linkedFolders = await Promise.all(links.map((link) => realpath(link).catch(() => undefined)));
    const outside = linkedFolders.filter((folder): folder is string => folder !== undefined && !mirrored.some((shell) => isInside(shell, folder)));
    return { ...rest, linkedFolders: [...new Set([...mirrored, ...outside])] };
  }

  watch(): Promise<void> {
    return this.#run(async () => {
      if (this.#snapshot !== undefined) return;
      // The whole scratch folder: a worktree copy of a sub-folder holds the repository's other tracked files too.
      const taken = await snapshotFolder(this.#layout.scratch, new Set(this.#layout.caches));
      if (taken === undefined) throw new IsolationError(`The copy at ${this.path} has too many files to watch.`);
      this.#snapshot = taken;
    });
  }

  sweep(): Promise<SweepResult> {
    return this.#run(async () => {
      const before = this.#snapshot;
      if (before === undefined) return { tampered: [], removed: [], snapshot: undefined };
      const prefix = relative(this.#layout.scratch, this.path).split(sep).join('/');
      const managed = [...this.#journal.paths()].map((path) => (prefix === '' ? path : `${prefix}/${path}`));
      const result = await sweepFolder(this.#layout.scratch, before, managed, new Set(this.#layout.caches));
      this.#snapshot = result.snapshot;
      // The sweep leaves the harness's own files to the harness; whether the run rewrote them is
      // asked of the journal, which knows what was written (a test that "fixes" the step's source
      // before requiring it would otherwise pass on code that never lands).
      const rewritten = await this.#journal.rewritten();
      return rewritten.length === 0 ? result : { ...result, rewritten };
    });
  }

  prepareCaches(seed: string | undefined): Promise<void> {
    const { scratch, caches, userCaches } = this.#layout;
    return this.#run(() => (seed !== undefined ? laySeed(seed, scratch, caches, userCaches) : emptyCacheFolders(scratch, caches, userCaches)));
  }

  captureCaches(seed: string): Promise<boolean> {
    return this.#run(() => captureSeed(this.#layout.scratch, this.#layout.caches, seed));
  }

  emptyCaches(): Promise<void> {
    return this.#run(() => emptyCacheFolders(this.#layout.scratch, this.#layout.caches, this.#layout.userCaches));
  }

  apply(changes: readonly StagedChange[]): Promise<void> {
    return this.#run(async () => {
      // Every path is checked before anything is written: a refused batch changes nothing.
      const writes = changes.map((change) => ({ path: checkRelativePath(change.path), bytes: change.kind === 'delete' ? undefined : change.after }));
      for (const write of writes) await this.#journal.check(write.path);
      await this.#journal.restore();
      for (const write of writes) await this.#journal.write(write.path, write.bytes);
    });
  }

  reset(): Promise<void> {
    return this.#run(() => this.#journal.restore());
  }

  dispose(): Promise<void> {
    this.#disposal ??= this.#queue.then(this.#discard);
    return this.#disposal;
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#disposal !== undefined) return Promise.reject(new IsolationError('This isolated workspace has been disposed.'));
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function isStale(path: string): boolean {
  const pid = isolationPid(path);
  return pid !== undefined && pid !== process.pid && !isProcessAlive(pid);
}

/**
 * Removes copies a crashed process left: worktrees of `root`'s repository and folders in the
 * scratch folder named `plumbline-verify-<pid>-…` whose process is gone (and, for a folder that was
 * another repository's worktree, that repository's registration of it). Links inside are removed,
 * never followed. Returns the paths removed.
 */
export async function cleanupStaleIsolations(root: string, options: { readonly scratchDir?: string; readonly repo?: Promise<RepoInfo | undefined> } = {}): Promise<string[]> {
  const removed: string[] = [];
  const repo = await (options.repo ?? probeRepo(resolve(root)));
  if (repo !== undefined) {
    for (const path of await listOwnWorktrees(repo.top).catch(() => [])) {
      if (!isStale(path)) continue;
      await removeWorktree(repo.top, path, await worktreeAdminDir(path));
      removed.push(path);
    }
  }
  const given = resolve(options.scratchDir ?? defaultScratchDir());
  const parent = await realpath(given).catch(() => given);
  for (const name of await readdir(parent).catch(() => [])) {
    const path = join(parent, name);
    if (!isStale(name) || removed.includes(path)) continue;
    const adminDir = await worktreeAdminDir(path);
    await rm(path, { recursive: true, force: true });
    if (adminDir !== undefined) await forgetAdminDir(adminDir);
    removed.push(path);
  }
  return removed;
}
