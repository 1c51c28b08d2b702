import { comparePaths, createListFilter } from './fileListing';
import { searchFiles } from './textSearch';
import { resolveWorkspacePath } from './workspacePaths';
import { WorkspacePathError, type FileContent, type ListOptions, type ListResult, type SearchOptions, type SearchResult, type WorkspaceReader } from '../../tools/workspacePort';

export type StagedChangeKind = 'create' | 'modify' | 'delete';

export interface StagedChange {
  readonly path: string;
  readonly kind: StagedChangeKind;
  /** The base content when this path was first staged; undefined when it did not exist. */
  readonly before: Uint8Array | undefined;
  /** The staged content; undefined for a deletion. */
  readonly after: Uint8Array | undefined;
}

/** A fork's changes were made against content its parent no longer has; nothing was committed. */
export class StagedConflictError extends Error {
  override readonly name = 'StagedConflictError';
  constructor(readonly paths: readonly string[]) {
    super(`These files changed in the parent after the fork read them, so the fork was not committed: ${paths.join(', ')}`);
  }
}

interface Entry {
  readonly before: Uint8Array | undefined;
  readonly after: Uint8Array | undefined;
}

const unlimited = Number.MAX_SAFE_INTEGER;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * Where workers' edits land instead of the user's files: an overlay over a WorkspaceReader whose
 * reads, listing and search see the staged state. Deciding when changes reach the disk is not its
 * job. Bytes are copied in and out, so no caller can alter staged content behind its back.
 */
export class StagedWorkspace implements WorkspaceReader {
  readonly #entries = new Map<string, Entry>();
  /** Mutations run one at a time: each awaits the base's content, and two must not interleave. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly base: WorkspaceReader) {}

  get root(): string {
    return this.base.root;
  }

  async readFile(path: string): Promise<FileContent | undefined> {
    const { relative } = await resolveWorkspacePath(this.root, path);
    const entry = this.#entries.get(relative);
    if (entry === undefined) return this.base.readFile(relative);
    return entry.after === undefined ? undefined : { path: relative, bytes: entry.after.slice(), fromBuffer: false };
  }

  async listFiles(options: ListOptions): Promise<ListResult> {
    const keep = await createListFilter(this.root, options);
    const base = await this.base.listFiles({ ...options, limit: unlimited });
    const paths = new Set(base.paths);
    // Created files show even where the base would ignore them: a run's own output must be visible.
    for (const [path, entry] of this.#entries) {
      if (entry.after === undefined) paths.delete(path);
      else if (keep(path)) paths.add(path);
    }
    const sorted = [...paths].sort(comparePaths);
    const limit = Math.max(0, Math.floor(options.limit));
    return { paths: sorted.slice(0, limit), truncated: sorted.length > limit || base.truncated };
  }

  async searchText(query: string, options: SearchOptions): Promise<SearchResult> {
    const listed = await this.listFiles({ limit: unlimited, ...(options.glob === undefined ? {} : { glob: options.glob }) });
    // Listed paths are already normalised keys: look them up directly and let the base confine the
    // rest, rather than resolving every path twice.
    const read = async (path: string): Promise<Uint8Array | undefined> => {
      const entry = this.#entries.get(path);
      return entry === undefined ? (await this.base.readFile(path))?.bytes : entry.after;
    };
    return searchFiles(listed.paths, read, query, options);
  }

  /** Stages `bytes` as the content of `path`; writing the base content back un-stages it. */
  write(path: string, bytes: Uint8Array): Promise<void> {
    const copy = bytes.slice();
    return this.#serial(async () => this.#stage(await this.#writable(path), copy));
  }

  /** Stages the deletion of `path`, which must exist in this view. */
  delete(path: string): Promise<void> {
    return this.#serial(async () => {
      const relative = await this.#writable(path);
      if ((await this.readFile(relative)) === undefined) throw new WorkspacePathError(`${relative} does not exist, so there is nothing to delete.`);
      await this.#stage(relative, undefined);
    });
  }

  /** The staged changes, sorted by path. */
  changes(): StagedChange[] {
    return [...this.#entries]
      .sort(([a], [b]) => comparePaths(a, b))
      .map(([path, { before, after }]) => ({
        path,
        kind: before === undefined ? 'create' : after === undefined ? 'delete' : 'modify',
        before: before?.slice(),
        after: after?.slice(),
      }));
  }

  /** Forgets the staged change to `path`, or every change when no path is given. */
  async discard(path?: string): Promise<void> {
    if (path === undefined) {
      this.#entries.clear();
      return;
    }
    const { relative } = await resolveWorkspacePath(this.root, path);
    this.#entries.delete(relative);
  }

  /** A child overlay on this one: its changes stay apart until commitTo(this), or vanish if it is dropped. */
  fork(): StagedWorkspace {
    return new StagedWorkspace(this);
  }

  /**
   * Moves this fork's changes into `parent` (the overlay it was forked from) and empties the fork.
   * All or nothing: when the parent's content for any path differs from what this fork started
   * from (a sibling committed first), throws StagedConflictError and commits nothing.
   */
  commitTo(parent: StagedWorkspace): Promise<void> {
    if (parent !== this.base) return Promise.reject(new Error('commitTo needs the overlay this one was forked from.'));
    // The fork's own queue first, so a write still in flight is part of what gets committed.
    return this.#serial(() => parent.#serial(async () => {
      const entries = [...this.#entries];
      const current = await Promise.all(entries.map(async ([path]) => (await parent.readFile(path))?.bytes));
      const conflicts = entries.filter(([, entry], index) => !sameBytes(entry.before, current[index])).map(([path]) => path);
      if (conflicts.length > 0) throw new StagedConflictError(conflicts.sort(comparePaths));
      for (const [path, entry] of entries) await parent.#stage(path, entry.after);
      this.#entries.clear();
    }));
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Confines `path` for writing and refuses a file where this view has a folder, or the reverse. */
  async #writable(path: string): Promise<string> {
    const { relative } = await resolveWorkspacePath(this.root, path, { forWrite: true });
    for (const [staged, entry] of this.#entries) {
      if (entry.after === undefined) continue;
      if (relative.startsWith(`${staged}/`)) throw new WorkspacePathError(`${relative} goes through ${staged}, which is a file, not a folder.`);
      if (staged.startsWith(`${relative}/`)) throw new WorkspacePathError(`${relative} is a folder (it holds ${staged}); give a file path inside it.`);
    }
    return relative;
  }

  /** Records `after` for `relative`, capturing the base content at the first change to it. */
  async #stage(relative: string, after: Uint8Array | undefined): Promise<void> {
    const existing = this.#entries.get(relative);
    const before = existing === undefined ? (await this.base.readFile(relative))?.bytes : existing.before;
    // Writing back what the base holds is not a change, nor is deleting a file only this overlay created.
    if (sameBytes(before, after)) this.#entries.delete(relative);
    else this.#entries.set(relative, { before: before?.slice(), after });
  }
}
