import type { SearchMatch, SearchOptions, SearchResult } from '../../tools/workspacePort';

/** Thrown for a query that cannot be searched for (empty, or an invalid regular expression). */
export class SearchQueryError extends Error {
  override readonly name = 'SearchQueryError';
}

/** Files larger than this are skipped: they are generated or data, and would dominate the time. */
export const maxSearchedBytes = 1024 * 1024;
const binaryProbeBytes = 8192;
const maxLineChars = 300;
const batchSize = 64;

export interface CompiledQuery {
  /** Index of the first match in one line, or -1. */
  inLine(line: string): number;
  /** False only when no line of `text` can match: lets most files skip the line split. */
  mayMatch(text: string): boolean;
}

/** Compiles the query once. Matching is per line: a regex never spans lines. */
export function compileQuery(query: string, options: Pick<SearchOptions, 'regex' | 'caseSensitive'>): CompiledQuery {
  if (query.length === 0) throw new SearchQueryError('The search query is empty; give some text to look for.');
  const flags = options.caseSensitive === true ? '' : 'i';
  const source = options.regex === true ? query : query.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SearchQueryError(`${query} is not a valid JavaScript regular expression (${reason}); fix it, or search for literal text without regex: true.`);
  }
  // No `g` flag, so exec keeps no lastIndex state between lines.
  const inLine = (line: string): number => regex.exec(line)?.index ?? -1;
  // Literal text found in a line is found in the whole file; a regex may not be (`^`, lookbehind),
  // so only literal queries get the whole-file shortcut.
  return { inLine, mayMatch: options.regex === true ? () => true : (text) => regex.test(text) };
}

/** NUL in the first 8 KB is the same test git and ripgrep use to call a file binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, binaryProbeBytes).includes(0);
}

/** At most 300 characters of the line, centred on the match when the line is longer (minified code). */
export function excerpt(line: string, at: number): string {
  if (line.length <= maxLineChars) return line;
  const start = Math.max(0, Math.min(at - 100, line.length - maxLineChars));
  let text = line.slice(start, start + maxLineChars);
  if (start > 0) text = `…${text.slice(1)}`;
  if (start + maxLineChars < line.length) text = `${text.slice(0, -1)}…`;
  return text;
}

const decoder = new TextDecoder('utf-8');

/**
 * Searches `paths` in order, reading each through `read` (undefined: gone or not searchable), and
 * stops once `limit` matches are found. Reads run in batches for speed; order is kept.
 */
export async function searchFiles(
  paths: readonly string[],
  read: (path: string) => Promise<Uint8Array | undefined>,
  query: string,
  options: SearchOptions,
): Promise<SearchResult> {
  const compiled = compileQuery(query, options);
  const limit = Math.max(0, Math.floor(options.limit));
  const matches: SearchMatch[] = [];
  for (let start = 0; start < paths.length; start += batchSize) {
    const batch = paths.slice(start, start + batchSize);
    const contents = await Promise.all(batch.map((path) => read(path).catch(() => undefined)));
    for (const [index, path] of batch.entries()) {
      const bytes = contents[index];
      if (bytes === undefined || bytes.byteLength > maxSearchedBytes || looksBinary(bytes)) continue;
      const text = decoder.decode(bytes);
      if (!compiled.mayMatch(text)) continue;
      for (const [lineIndex, line] of text.split(/\r\n|\r|\n/).entries()) {
        const at = compiled.inLine(line);
        if (at === -1) continue;
        if (matches.length === limit) return { matches, truncated: true };
        matches.push({ path, line: lineIndex + 1, text: excerpt(line, at) });
      }
    }
  }
  return { matches, truncated: false };
}
