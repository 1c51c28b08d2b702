/**
 * How the engine sees the workspace. Paths are workspace-relative with forward slashes
 * (`src/a.ts`); implementations resolve and confine them. The server provides one backed by the
 * disk and the editor's open buffers; tests and the CLI use the same disk implementation.
 */

/** A file's bytes and what the engine needs to edit it without changing anything else. */
export interface FileContent {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** True when the content came from an unsaved editor buffer rather than the disk. */
  readonly fromBuffer: boolean;
}

export interface ListOptions {
  /** A folder to list under, workspace-relative; the root when absent. */
  readonly path?: string;
  /** A glob such as `src/**\/*.ts`, matched against workspace-relative paths. */
  readonly glob?: string;
  /** At most this many paths (the result says when it was cut). */
  readonly limit: number;
}

export interface ListResult {
  readonly paths: readonly string[];
  readonly truncated: boolean;
}

export interface SearchOptions {
  readonly glob?: string;
  /** Treat the query as a JavaScript regular expression instead of literal text. */
  readonly regex?: boolean;
  readonly caseSensitive?: boolean;
  readonly limit: number;
}

export interface SearchMatch {
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  readonly text: string;
}

export interface SearchResult {
  readonly matches: readonly SearchMatch[];
  readonly truncated: boolean;
}

/** Read-only access: everything the orchestrator may use while it plans. */
export interface WorkspaceReader {
  /** Absolute path of the workspace root. */
  readonly root: string;
  /** The file's current content (an unsaved buffer wins over the disk), or undefined if it does not exist. */
  readFile(path: string): Promise<FileContent | undefined>;
  /** Files that are not ignored (.gitignore, .git/, node_modules/ and similar), sorted. */
  listFiles(options: ListOptions): Promise<ListResult>;
  searchText(query: string, options: SearchOptions): Promise<SearchResult>;
}

/** Thrown for a path that is absolute, escapes the root, or otherwise may not be used. */
export class WorkspacePathError extends Error {
  override readonly name = 'WorkspacePathError';
}
