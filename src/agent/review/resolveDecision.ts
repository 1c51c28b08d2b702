import type { Hunk } from '../../protocol/run';

/**
 * A review decision about one file, checked against the hunks the review offered: ids the file
 * does not have are dropped (and returned, so the run can say so), never guessed at.
 */
export interface ResolvedDecision {
  /** What lands: every hunk, or the named ones (none when the set is empty). */
  readonly accepted: 'all' | ReadonlySet<string>;
  /** Accepted units of the file (its hunks, or the file itself when it has none), of how many. */
  readonly count: number;
  readonly of: number;
  /** Ids the decision named that the file does not have. */
  readonly ignored: readonly string[];
}

/** `hunks` is the decision's (undefined: the file was not listed, so nothing of it is accepted). */
export function resolveDecision(file: { readonly hunks: readonly Pick<Hunk, 'id'>[] }, hunks: 'all' | readonly string[] | undefined): ResolvedDecision {
  const of = Math.max(1, file.hunks.length);
  if (hunks === 'all') return { accepted: 'all', count: of, of, ignored: [] };
  const known = new Set(file.hunks.map((hunk) => hunk.id));
  const named = [...new Set(hunks ?? [])];
  const accepted = new Set(named.filter((id) => known.has(id)));
  const ignored = named.filter((id) => !known.has(id));
  // A file reviewed as a whole (no hunks) is accepted with `all` only: an id cannot name it.
  const all = file.hunks.length > 0 && accepted.size === file.hunks.length;
  return { accepted: all ? 'all' : accepted, count: all ? of : accepted.size, of, ignored };
}
