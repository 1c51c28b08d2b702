// Indentation for the "+" lines of a block that matched only when whitespace was ignored: the model's
// indentation is not the file's, so each added line is moved onto the file's, in the file's style
// (tabs or spaces). The matched lines say how: each pairs the patch's indentation with the file's.
import { leadingWhitespace } from './lines';

/** One matched, non-blank line: its place in the block, its kind, the patch's indentation and the file's. */
export interface IndentPair {
  readonly position: number;
  readonly kind: 'context' | 'remove';
  readonly from: string;
  readonly to: string;
}

/** Moves the added line at `position` of the block onto the file's indentation. */
export type IndentMapper = (line: string, position: number) => string;

/**
 * `kinds`: each block line's kind; `patchLines`: every line of the block as the model wrote it;
 * `fileLines`: the matched lines of the file and some around them (their style decides tabs or spaces).
 */
export function indentMapper(pairs: readonly IndentPair[], kinds: readonly ('context' | 'remove' | 'add')[], patchLines: readonly string[], fileLines: readonly string[]): IndentMapper {
  if (pairs.length === 0 || pairs.every((pair) => pair.from === pair.to)) return (line) => line;
  const patchTabs = usesTabs(patchLines);
  const fileTabs = usesTabs(fileLines);
  // Columns of one level in the patch (spaces per tab when the patch uses spaces and the file tabs), and one level in the file.
  const patchLevel = patchTabs ? 1 : ratio(pairs, 'from') ?? indentUnit(patchLines);
  const fileLevel = fileTabs ? '\t' : ' '.repeat(patchTabs ? ratio(pairs, 'to') ?? indentUnit(fileLines) : 1);
  const levels = (indent: string): number => {
    const tabs = indent.split('\t').length - 1;
    return patchTabs ? tabs + Math.floor((indent.length - tabs) / Math.max(1, fileLevel.length)) : (indent.length - tabs + tabs * patchLevel) / patchLevel;
  };
  const context = pairs.filter((pair) => pair.kind === 'context');
  const removed = pairs.filter((pair) => pair.kind === 'remove');
  const counterparts = counterpartsOf(kinds, pairs);

  return (line, position) => {
    if (line.trim() === '') return line;
    const lead = leadingWhitespace(line);
    const body = line.slice(lead.length);
    // The line it replaces, then a context line, then any removed line indented as it is: the file has that line's indentation.
    const counterpart = counterparts.get(position);
    const same = (counterpart?.from === lead ? counterpart : undefined)
      ?? nearest(context.filter((pair) => pair.from === lead), position)
      ?? nearest(removed.filter((pair) => pair.from === lead), position);
    if (same !== undefined) return same.to + body;
    // Otherwise its depth relative to the nearest context line (the new side's own frame), or to the line it replaces.
    const ref = nearest(context, position) ?? counterpart ?? nearest(pairs, position);
    if (ref === undefined) return line;
    if (patchTabs === fileTabs) return shiftLike(lead, ref) + body;
    return addLevels(ref.to, Math.round(levels(lead) - levels(ref.from)), fileLevel) + body;
  };
}

/**
 * In a change (removed lines, then added lines), the j-th added line replaces the j-th removed one
 * (the last, when more lines are added than removed).
 */
function counterpartsOf(kinds: readonly ('context' | 'remove' | 'add')[], pairs: readonly IndentPair[]): Map<number, IndentPair> {
  const byPosition = new Map(pairs.map((pair) => [pair.position, pair]));
  const out = new Map<number, IndentPair>();
  let removedRun: number[] = [];
  let added = 0;
  kinds.forEach((kind, position) => {
    if (kind === 'context') {
      removedRun = [];
      added = 0;
    } else if (kind === 'remove') {
      if (added > 0) {
        removedRun = [];
        added = 0;
      }
      removedRun.push(position);
    } else {
      const match = removedRun[Math.min(added, removedRun.length - 1)];
      const pair = match === undefined ? undefined : byPosition.get(match);
      if (pair !== undefined) out.set(position, pair);
      added++;
    }
  });
  return out;
}

/** The closest pair before the position, else the closest after it. */
function nearest(pairs: readonly IndentPair[], position: number): IndentPair | undefined {
  let before: IndentPair | undefined;
  let after: IndentPair | undefined;
  for (const pair of pairs) {
    if (pair.position < position) before = pair;
    else if (after === undefined) after = pair;
  }
  return before ?? after;
}

/** Same style on both sides: the line keeps its depth relative to the reference line. */
function shiftLike(lead: string, ref: IndentPair): string {
  if (lead.startsWith(ref.from)) return ref.to + lead.slice(ref.from.length);
  if (ref.from.startsWith(lead)) return ref.to.slice(0, Math.max(0, ref.to.length - (ref.from.length - lead.length)));
  return lead;
}

function addLevels(indent: string, levels: number, unit: string): string {
  if (levels >= 0) return indent + unit.repeat(levels);
  return indent.slice(0, Math.max(0, indent.length + levels * unit.length));
}

function usesTabs(lines: readonly string[]): boolean {
  let tabs = 0;
  let spaces = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (line.startsWith('\t')) tabs++;
    else if (line.startsWith(' ')) spaces++;
  }
  return tabs > spaces;
}

/**
 * Spaces per tab, read off the pairs where one side is all tabs and the other all spaces; undefined
 * unless they agree. `spaces` names the side that holds the spaces.
 */
function ratio(pairs: readonly IndentPair[], spaces: 'from' | 'to'): number | undefined {
  const seen = new Set<number>();
  for (const pair of pairs) {
    const spaced = spaces === 'from' ? pair.from : pair.to;
    const tabbed = spaces === 'from' ? pair.to : pair.from;
    if (spaced === '' || tabbed === '' || !/^ +$/.test(spaced) || !/^\t+$/.test(tabbed)) continue;
    seen.add(spaced.length / tabbed.length);
  }
  const [only] = seen;
  return seen.size === 1 && only !== undefined && Number.isInteger(only) && only > 0 ? only : undefined;
}

/** The most common step between the space indentation of consecutive non-blank lines; 4 when there is none. */
function indentUnit(lines: readonly string[]): number {
  const counts = new Map<number, number>();
  let previous: number | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const width = leadingWhitespace(line).replaceAll('\t', '').length;
    if (previous !== undefined && width > previous && width - previous <= 8) counts.set(width - previous, (counts.get(width - previous) ?? 0) + 1);
    previous = width;
  }
  let best = 4;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount || (count === bestCount && step > best)) {
      best = step;
      bestCount = count;
    }
  }
  return best;
}
