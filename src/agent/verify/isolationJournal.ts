import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorCode, IsolationError } from './isolationPaths';

/**
 * Changes to a copy's files that can be taken back: before a path is first written, its base state
 * (content and mode, a link, or absence) is kept, and `restore` puts every such path back and
 * removes the folders the writes created. Paths are checked (see checkRelativePath) by the caller.
 */

type BaseState =
  | { readonly kind: 'file'; readonly bytes: Buffer; readonly mode: number }
  | { readonly kind: 'link'; readonly target: string }
  | { readonly kind: 'absent' };

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

export class FileJournal {
  readonly #base = new Map<string, BaseState>();
  /** What the last write gave each path (undefined: deleted), to tell whether a run changed it. */
  readonly #written = new Map<string, Buffer | undefined>();
  readonly #createdFolders = new Set<string>();

  constructor(readonly folder: string) {}

  /** Every path written so far (whose base state `restore` puts back). */
  paths(): IterableIterator<string> {
    return this.#base.keys();
  }

  /**
   * Refuses a path that leads through a symbolic link (a linked folder: writing there would change
   * the user's files) or through a file, or that names a folder.
   */
  async check(path: string): Promise<void> {
    const segments = path.split('/');
    let current = this.folder;
    for (const segment of segments.slice(0, -1)) {
      current = join(current, segment);
      const info = await lstatOrUndefined(current);
      if (info === undefined) break;
      if (info.isSymbolicLink()) throw new IsolationError(`${path} is inside a linked folder or behind a symbolic link, which the copy shares with the workspace.`);
      if (!info.isDirectory()) throw new IsolationError(`${path} is below a file.`);
    }
    if ((await lstatOrUndefined(join(this.folder, path)))?.isDirectory() === true) throw new IsolationError(`${path} is a folder.`);
  }

  /** Gives `path` these bytes, or deletes it for undefined, after remembering its base state. */
  async write(path: string, bytes: Uint8Array | undefined): Promise<void> {
    const absolute = join(this.folder, path);
    const info = await lstatOrUndefined(absolute);
    if (!this.#base.has(path)) this.#base.set(path, await this.#read(absolute, info));
    if (info !== undefined && (bytes === undefined || !info.isFile())) await unlink(absolute); // a link is replaced, not followed
    this.#written.set(path, bytes === undefined ? undefined : Buffer.from(bytes));
    if (bytes === undefined) return;
    await this.#makeParents(path);
    await writeFile(absolute, bytes);
  }

  /**
   * The paths whose file no longer holds what the last write gave it (changed, replaced by a link
   * or a folder, deleted, or re-created after a deletion): what a run did to the harness's own files.
   */
  async rewritten(): Promise<string[]> {
    const changed: string[] = [];
    for (const [path, bytes] of this.#written) {
      const absolute = join(this.folder, path);
      const info = await lstatOrUndefined(absolute).catch(() => undefined);
      if (bytes === undefined) {
        if (info !== undefined) changed.push(path);
        continue;
      }
      if (info?.isFile() !== true || info.size !== bytes.length || !(await readFile(absolute).catch(() => Buffer.alloc(0))).equals(bytes)) changed.push(path);
    }
    return changed.sort();
  }

  /** Puts every path written so far back to its base state and removes the folders writes created. */
  async restore(): Promise<void> {
    this.#written.clear();
    for (const [path, base] of this.#base) {
      const absolute = join(this.folder, path);
      // Something (a test?) may have put a link in the way since: write nothing through it.
      if (!(await this.#parentsAreFolders(path))) continue;
      const info = await lstatOrUndefined(absolute);
      if (info !== undefined && !(base.kind === 'file' && info.isFile())) await rm(absolute, { recursive: true, force: true });
      if (base.kind === 'absent') continue;
      await mkdir(dirname(absolute), { recursive: true });
      if (base.kind === 'link') {
        await symlink(base.target, absolute);
      } else {
        await writeFile(absolute, base.bytes);
        await chmod(absolute, base.mode);
      }
    }
    // Deepest first; a folder something else has since written into stays.
    for (const folder of [...this.#createdFolders].sort((a, b) => b.length - a.length)) {
      try {
        await rmdir(folder);
        this.#createdFolders.delete(folder);
      } catch {
        // Not empty (or already gone): leave it.
      }
    }
  }

  async #read(absolute: string, info: Stats | undefined): Promise<BaseState> {
    if (info === undefined) return { kind: 'absent' };
    if (info.isSymbolicLink()) return { kind: 'link', target: await readlink(absolute) };
    return { kind: 'file', bytes: await readFile(absolute), mode: info.mode & 0o7777 };
  }

  async #parentsAreFolders(path: string): Promise<boolean> {
    let current = this.folder;
    for (const segment of path.split('/').slice(0, -1)) {
      current = join(current, segment);
      const info = await lstatOrUndefined(current);
      if (info === undefined) return true;
      if (!info.isDirectory()) return false;
    }
    return true;
  }

  async #makeParents(path: string): Promise<void> {
    let current = this.folder;
    for (const segment of path.split('/').slice(0, -1)) {
      current = join(current, segment);
      if ((await lstatOrUndefined(current)) !== undefined) continue;
      await mkdir(current);
      this.#createdFolders.add(current);
    }
  }
}
