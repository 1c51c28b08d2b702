import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createListFilter, isListableFile, listCandidates, takeFirst } from './fileListing';
import { maxSearchedBytes, searchFiles } from './textSearch';
import { resolveWorkspacePath } from './workspacePaths';
import { WorkspacePathError, type FileContent, type ListOptions, type ListResult, type SearchOptions, type SearchResult, type WorkspaceReader } from '../../tools/workspacePort';

export interface DiskWorkspaceOptions {
  /** The text of an open, unsaved editor buffer for a workspace-relative path, if there is one. */
  readonly buffers?: (relativePath: string) => string | undefined;
  /** Extra globs to leave out of listing and search (a name without `/`, like `coverage`, matches at any depth). */
  readonly ignore?: readonly string[];
}

const encoder = new TextEncoder();

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** A Uint8Array view over a Buffer, so callers comparing with plain Uint8Arrays see equal types. */
function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * The workspace as the disk and the editor's unsaved buffers show it. Every path is confined by
 * resolveWorkspacePath; listing uses git when the root is in a work tree so .gitignore is honoured.
 */
export function createDiskWorkspace(root: string, options: DiskWorkspaceOptions = {}): WorkspaceReader {
  const absoluteRoot = resolve(root);
  const ignore = options.ignore ?? [];
  const buffered = (relative: string): Uint8Array | undefined => {
    const text = options.buffers?.(relative);
    return text === undefined ? undefined : encoder.encode(text);
  };

  async function readFromDisk(absolute: string, relative: string): Promise<Uint8Array | undefined> {
    try {
      return plainBytes(await readFile(absolute));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EISDIR') throw new WorkspacePathError(`${relative} is a folder, not a file; use list_files to see what is in it.`);
      throw error;
    }
  }

  /** Candidate paths after the caller's filter, sorted; `verified` says whether they are known to exist. */
  async function filtered(filter: Pick<ListOptions, 'path' | 'glob'>): Promise<{ paths: string[]; verified: boolean; truncated: boolean }> {
    const keep = await createListFilter(absoluteRoot, filter);
    const candidates = await listCandidates(absoluteRoot, ignore);
    return { paths: candidates.paths.filter(keep), verified: candidates.verified, truncated: candidates.truncated };
  }

  return {
    root: absoluteRoot,

    async readFile(path: string): Promise<FileContent | undefined> {
      const { relative, absolute } = await resolveWorkspacePath(absoluteRoot, path);
      const fromBuffer = buffered(relative);
      if (fromBuffer !== undefined) return { path: relative, bytes: fromBuffer, fromBuffer: true };
      const bytes = await readFromDisk(absolute, relative);
      return bytes === undefined ? undefined : { path: relative, bytes, fromBuffer: false };
    },

    async listFiles(list: ListOptions): Promise<ListResult> {
      const candidates = await filtered(list);
      // Git lists tracked files deleted since and submodule folders; check only as many as are shown.
      const result = await takeFirst(candidates.paths, list.limit, candidates.verified ? () => Promise.resolve(true) : (path) => isListableFile(absoluteRoot, path));
      return { paths: result.paths, truncated: result.truncated || candidates.truncated };
    },

    async searchText(query: string, search: SearchOptions): Promise<SearchResult> {
      const candidates = await filtered(search.glob === undefined ? {} : { glob: search.glob });
      return searchFiles(candidates.paths, async (path) => {
        const inBuffer = buffered(path);
        if (inBuffer !== undefined) return inBuffer;
        // Confined like readFile (a listed link could point outside); stat first so a huge file is never read.
        const { absolute } = await resolveWorkspacePath(absoluteRoot, path);
        const info = await stat(absolute);
        if (!info.isFile() || info.size > maxSearchedBytes) return undefined;
        return readFromDisk(absolute, path);
      }, query, search);
    },
  };
}
