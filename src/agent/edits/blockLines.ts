// A block as whole lines, each marked context, remove or add. Only "-" and "+" lines may change the
// file: context lines are written back as the file has them, so the engine must know which they are.
// A patch hunk says so itself; for a plain search/replace block, context is what old and new share.
import { myersMarks } from './myers';
import { toLf } from './lines';

export type BlockLineKind = 'context' | 'remove' | 'add';

export interface BlockLine {
  readonly kind: BlockLineKind;
  /** Without a terminator. */
  readonly text: string;
}

/** Lines of model text; a final '\n' ends the last line rather than starting an empty one. */
export function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The block's lines in order. `lines` (from a patch hunk) is taken as it is; otherwise old and new
 * are diffed line by line and the lines they share are the context.
 */
export function blockLinesOf(block: { readonly oldText: string; readonly newText: string; readonly lines?: readonly BlockLine[] }): readonly BlockLine[] {
  if (block.lines !== undefined) return block.lines;
  const oldLines = linesOf(toLf(block.oldText));
  const newLines = linesOf(toLf(block.newText));
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]): Int32Array => Int32Array.from(lines, (line) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  });
  const { removed, added } = myersMarks(intern(oldLines), intern(newLines));
  const out: BlockLine[] = [];
  let i = 0;
  let j = 0;
  while (i < oldLines.length || j < newLines.length) {
    if (i < oldLines.length && (removed[i] === 1 || j >= newLines.length)) out.push({ kind: 'remove', text: oldLines[i++] ?? '' });
    else if (j < newLines.length && (added[j] === 1 || i >= oldLines.length)) out.push({ kind: 'add', text: newLines[j++] ?? '' });
    else {
      out.push({ kind: 'context', text: oldLines[i++] ?? '' });
      j++;
    }
  }
  return out;
}

export function oldSide(lines: readonly BlockLine[]): string[] {
  return lines.filter((line) => line.kind !== 'add').map((line) => line.text);
}

/**
 * The block without blank context or "-" lines at its edges, or undefined when it has none: a model
 * often starts a hunk with a stray blank line that is not in the file.
 */
export function withoutEdgeBlanks(lines: readonly BlockLine[]): readonly BlockLine[] | undefined {
  const blank = (line: BlockLine | undefined): boolean => line !== undefined && line.kind !== 'add' && line.text.trim() === '';
  let from = 0;
  let to = lines.length;
  while (from < to && blank(lines[from])) from++;
  while (to > from && blank(lines[to - 1])) to--;
  if (from === 0 && to === lines.length) return undefined;
  const rest = lines.slice(from, to);
  return rest.some((line) => line.kind !== 'add' && line.text.trim() !== '') ? rest : undefined;
}
