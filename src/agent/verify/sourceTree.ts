// The files of a verification copy, listed and read for choosing a step's related tests: bounded,
// fast, and blind to what is not the project's own source (dependencies, caches, git, links).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultLinkFolders } from './isolationPaths';

/** The project's own files under a root, by workspace-relative forward-slash path. */
export interface SourceTree {
  readonly files: ReadonlySet<string>;
  /** A file's text, or undefined when it is missing, unreadable or larger than the tree reads. */
  read(path: string): Promise<string | undefined>;
}

export interface SourceTreeOptions {
  /** Which files to list (by path); default: every file. */
  readonly include?: (path: string) => boolean;
  /** At most this many files are listed (default 20,000): a larger tree is listed in part. */
  readonly maxFiles?: number;
  /** Files larger than this are not read (default 512 KiB): generated bundles relate nothing. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

/** Folders that never hold the project's own sources or tests. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([...defaultLinkFolders, 'dist', 'build', 'out', 'coverage', '__pycache__']);

/**
 * Lists the files under `root` breadth-first, never following a symbolic link (a copy links its
 * dependency folders to the user's) and skipping hidden, dependency and build folders. Reads are
 * cached: a file is read at most once per tree.
 */
export async function readSourceTree(root: string, options: SourceTreeOptions = {}): Promise<SourceTree> {
  const maxFiles = options.maxFiles ?? 20_000;
  const maxBytes = options.maxBytes ?? 512 * 1024;
  const files = new Set<string>();
  let folders = [''];
  while (folders.length > 0 && files.size < maxFiles && options.signal?.aborted !== true) {
    const next: string[] = [];
    const listed = await Promise.all(folders.map(async (folder) => ({ folder, entries: await readdir(join(root, folder), { withFileTypes: true }).catch(() => []) })));
    for (const { folder, entries } of listed) {
      for (const entry of entries) {
        const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) next.push(path);
        } else if (entry.isFile() && (options.include?.(path) ?? true) && files.size < maxFiles) {
          files.add(path);
        }
      }
    }
    folders = next.sort();
  }
  const cache = new Map<string, Promise<string | undefined>>();
  const readOne = async (path: string): Promise<string | undefined> => {
    if (!files.has(path)) return undefined;
    try {
      const full = join(root, path);
      if ((await stat(full)).size > maxBytes) return undefined;
      return await readFile(full, 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    files,
    read(path) {
      let text = cache.get(path);
      if (text === undefined) {
        text = readOne(path);
        cache.set(path, text);
      }
      return text;
    },
  };
}
