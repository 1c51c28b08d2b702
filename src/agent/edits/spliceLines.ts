// What replaces the lines a block matched. Only "-" and "+" lines change the file: a context line is
// written back with the file's own bytes (its text, its trailing whitespace, its terminator), however
// the patch spelled it; a "+" line gets the file's line ending and, after a whitespace-tolerant match,
// the file's indentation.
import type { BlockLine } from './blockLines';
import { indentMapper, type IndentPair } from './indentation';
import { leadingWhitespace, type Line, type LineEnding } from './lines';

export interface Splice {
  /** Offsets in the original text, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  /** Set when added lines were moved onto the file's indentation: the block's first matched line, the model's indent → the file's. */
  readonly reindent?: { readonly from: string; readonly to: string };
}

/** Lines around the match whose style decides tabs or spaces for added lines. */
const styleWindow = 40;

/**
 * `first`: the file's line index where the block's old lines start (they match `lines` in order).
 * `reindent`: the match ignored whitespace, so "+" lines are moved onto the file's indentation.
 */
export function spliceLines(fileLines: readonly Line[], eol: LineEnding, first: number, lines: readonly BlockLine[], reindent: boolean): Splice {
  const oldCount = lines.filter((line) => line.kind !== 'add').length;
  const region = fileLines.slice(first, first + oldCount);
  const map = reindent ? mapperFor(fileLines, first, region, lines) : undefined;

  const out: { text: string; eol: string; kept: boolean }[] = [];
  let k = 0;
  let moved: { from: string; to: string } | undefined;
  lines.forEach((line, position) => {
    if (line.kind === 'add') {
      const text = map === undefined ? line.text : map(line.text, position);
      if (text !== line.text) moved ??= { from: leadingWhitespace(line.text), to: leadingWhitespace(text) };
      out.push({ text, eol, kept: false });
      return;
    }
    const file = region[k++];
    if (line.kind === 'context' && file !== undefined) out.push({ text: file.text, eol: file.eol, kept: true });
  });

  // Every line but the last needs a terminator (the file's last line gains one when lines follow it);
  // an added last line ends as the matched lines ended: with none at the end of a file that has none.
  const endEol = region[region.length - 1]?.eol ?? eol;
  out.forEach((line, i) => {
    if (i < out.length - 1) {
      if (line.eol === '') line.eol = eol;
    } else if (!line.kept) line.eol = endEol === '' ? '' : eol;
  });

  const last = region[region.length - 1];
  const start = region[0]?.start ?? 0;
  const end = last === undefined ? start : last.start + last.text.length + last.eol.length;
  const replacement = out.map((line) => line.text + line.eol).join('');
  const anchor = lines.findIndex((line) => line.kind !== 'add' && line.text.trim() !== '');
  const from = leadingWhitespace(lines[anchor]?.text ?? '');
  const to = leadingWhitespace(region[lines.slice(0, anchor).filter((line) => line.kind !== 'add').length]?.text ?? '');
  if (moved === undefined) return { start, end, replacement };
  return { start, end, replacement, reindent: from === to ? moved : { from, to } };
}

function mapperFor(fileLines: readonly Line[], first: number, region: readonly Line[], lines: readonly BlockLine[]): ReturnType<typeof indentMapper> {
  const pairs: IndentPair[] = [];
  let k = 0;
  lines.forEach((line, position) => {
    if (line.kind === 'add') return;
    const file = region[k++];
    if (file !== undefined && line.text.trim() !== '' && file.text.trim() !== '') {
      pairs.push({ position, kind: line.kind, from: leadingWhitespace(line.text), to: leadingWhitespace(file.text) });
    }
  });
  const around = fileLines.slice(Math.max(0, first - styleWindow), first + region.length + styleWindow).map((line) => line.text);
  return indentMapper(pairs, lines.map((line) => line.kind), lines.map((line) => line.text), around);
}
