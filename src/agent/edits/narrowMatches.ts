// Chooses among several places a block matched, using what the patch said besides its lines:
// `*** End of File` (the block ends the file), `@@ <anchor>` lines (they come before the block, in
// order; the block is the first match after them, as in Codex's apply_patch) and a unified diff's
// `@@ -12,3 …` start line. Hints only ever narrow: a block that matches once is applied where it
// matches, and a hint that rules out every match is ignored.

export interface MatchHints {
  readonly anchors?: readonly string[];
  /** 1-based line where the block's first old line should be. */
  readonly lineHint?: number;
  readonly atEnd?: boolean;
}

/**
 * `starts`: 0-based first lines of the matches, ascending; `length`: old lines per match;
 * `keys`: the file's lines trimmed (anchors are compared trimmed).
 */
export function narrowMatches(keys: readonly string[], starts: readonly number[], length: number, hints: MatchHints): readonly number[] {
  let chosen = starts;
  const narrow = (keep: (candidates: readonly number[]) => readonly number[]): void => {
    if (chosen.length <= 1) return;
    const kept = keep(chosen);
    if (kept.length > 0) chosen = kept;
  };
  if (hints.atEnd === true) narrow((candidates) => candidates.filter((start) => start + length === keys.length));
  const anchors = (hints.anchors ?? []).map((anchor) => anchor.trim()).filter((anchor) => anchor !== '');
  if (anchors.length > 0) narrow((candidates) => afterAnchors(keys, candidates, anchors));
  const hint = hints.lineHint;
  if (hint !== undefined) narrow((candidates) => candidates.filter((start) => start + 1 === hint));
  return chosen;
}

/** For each place the anchors occur in order, the first candidate at or after the last of them. */
function afterAnchors(keys: readonly string[], candidates: readonly number[], anchors: readonly string[]): number[] {
  let earliest = -1;
  let ends: number[] = [];
  for (const anchor of anchors) {
    ends = occurrences(keys, anchor).filter((line) => line > earliest);
    if (ends.length === 0) return [];
    earliest = ends[0] ?? earliest;
  }
  const chosen = new Set<number>();
  for (const end of ends) {
    const next = candidates.find((start) => start >= end);
    if (next !== undefined) chosen.add(next);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Lines equal to the anchor; failing that, lines starting with it; failing that, lines containing it. */
function occurrences(keys: readonly string[], anchor: string): number[] {
  for (const test of [(key: string) => key === anchor, (key: string) => key.startsWith(anchor), (key: string) => key.includes(anchor)]) {
    const found: number[] = [];
    keys.forEach((key, line) => {
      if (test(key)) found.push(line);
    });
    if (found.length > 0) return found;
  }
  return [];
}
