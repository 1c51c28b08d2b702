import type { SourceTree } from './sourceTree';

/** What a file imports, as paths of the tree (unresolvable imports left out). */
export type ImportsOf = (path: string, text: string, files: ReadonlySet<string>) => readonly string[];

/** How many files are read at once: enough to keep the disk busy, few enough to spare descriptors. */
const READ_CONCURRENCY = 64;
/**
 * How long reading may take before the graph is left partial: related tests only fail a step
 * sooner (the full suite still decides), so a walk slower than a test run is not worth finishing.
 */
export const GRAPH_BUDGET_MS = 3000;

/** Who imports whom among a tree's files. */
export interface ImportGraph {
  /** File → the files that import it. */
  readonly importers: ReadonlyMap<string, readonly string[]>;
}

/**
 * The import graph of the tree's files that `parsed` accepts. Each file is read once, a bounded
 * number at a time; an aborted signal or the time budget stops reading (the graph is then partial).
 */
export async function buildImportGraph(tree: SourceTree, parsed: (path: string) => boolean, importsOf: ImportsOf, signal?: AbortSignal, budgetMs = GRAPH_BUDGET_MS): Promise<ImportGraph> {
  const importers = new Map<string, string[]>();
  const paths = [...tree.files].filter(parsed);
  const started = Date.now();
  for (let start = 0; start < paths.length && signal?.aborted !== true && Date.now() - started < budgetMs; start += READ_CONCURRENCY) {
    await Promise.all(
      paths.slice(start, start + READ_CONCURRENCY).map(async (path) => {
        const text = await tree.read(path);
        if (text === undefined) return;
        for (const target of new Set(importsOf(path, text, tree.files))) {
          if (target === path) continue;
          const list = importers.get(target);
          if (list === undefined) importers.set(target, [path]);
          else list.push(path);
        }
      }),
    );
  }
  return { importers };
}

/**
 * Every file that imports one of `changed`, directly or through other files, the changed files
 * included. The walk ends when no new importer is found, so cycles are harmless.
 */
export function importersOf(graph: ImportGraph, changed: readonly string[]): Set<string> {
  const reached = new Set(changed);
  const queue = [...changed];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const importer of graph.importers.get(next) ?? []) {
      if (reached.has(importer)) continue;
      reached.add(importer);
      queue.push(importer);
    }
  }
  return reached;
}

/** `a/b/../c` → `a/c`; undefined when it climbs above the root. */
export function normalizePath(path: string): string | undefined {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out.join('/');
}

export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
