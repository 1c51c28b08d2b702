/**
 * A workspace held in memory, for in-process tests of the engine: the WorkspaceReader port over a
 * map of files. The root is a real (empty) folder, because a run keeps its own records there
 * (`.plumbline/`: the lock, run.json, plan.md, the journal, the checkpoint) and path confinement
 * resolves against it; the project's files never touch the disk.
 */
import { comparePaths, createListFilter } from '../../../src/agent/workspace/fileListing';
import type { StagedChange } from '../../../src/agent/workspace/stagedWorkspace';
import { searchFiles } from '../../../src/agent/workspace/textSearch';
import type { FileContent, ListOptions, ListResult, SearchOptions, SearchResult, WorkspaceReader } from '../../../src/tools/workspacePort';

const unlimited = Number.MAX_SAFE_INTEGER;

export class MemoryWorkspace implements WorkspaceReader {
  readonly #files = new Map<string, Uint8Array>();

  constructor(
    readonly root: string,
    files: Readonly<Record<string, string>> = {},
  ) {
    for (const [path, text] of Object.entries(files)) this.#files.set(path, new TextEncoder().encode(text));
  }

  readFile(path: string): Promise<FileContent | undefined> {
    const bytes = this.#files.get(key(path));
    return Promise.resolve(bytes === undefined ? undefined : { path: key(path), bytes: bytes.slice(), fromBuffer: false });
  }

  async listFiles(options: ListOptions): Promise<ListResult> {
    const keep = await createListFilter(this.root, options);
    const paths = [...this.#files.keys()].filter(keep).sort(comparePaths);
    const limit = Math.max(0, Math.floor(options.limit));
    return { paths: paths.slice(0, limit), truncated: paths.length > limit };
  }

  async searchText(query: string, options: SearchOptions): Promise<SearchResult> {
    const listed = await this.listFiles({ limit: unlimited, ...(options.glob !== undefined ? { glob: options.glob } : {}) });
    return searchFiles(listed.paths, (path) => Promise.resolve(this.#files.get(path)), query, options);
  }

  /** The file's text, or undefined when it does not exist. */
  text(path: string): string | undefined {
    const bytes = this.#files.get(key(path));
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  paths(): string[] {
    return [...this.#files.keys()].sort(comparePaths);
  }

  /** What the host's `apply` does: lands staged changes (a deletion removes the file). */
  apply(changes: readonly StagedChange[]): void {
    for (const change of changes) {
      if (change.after === undefined) this.#files.delete(key(change.path));
      else this.#files.set(key(change.path), change.after.slice());
    }
  }

  /** The user edits a file while the run goes on. */
  write(path: string, text: string): void {
    this.#files.set(key(path), new TextEncoder().encode(text));
  }
}

function key(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}
