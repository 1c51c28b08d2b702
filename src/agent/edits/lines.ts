// Line handling shared by the codec, the search/replace engine and the diff. Every function keeps
// each line's own terminator so that text nobody edited comes back byte for byte.

export type LineEnding = '\n' | '\r\n' | '\r';

/** One line of a text: its content, its own terminator ('' only for a last line without one), its offset. */
export interface Line {
  readonly text: string;
  readonly eol: '' | LineEnding;
  /** Offset of the line's first character in the text it was split from. */
  readonly start: number;
}

export interface LineEndingCounts {
  readonly lf: number;
  readonly crlf: number;
  readonly cr: number;
}

const lineBreak = /\r\n|\r|\n/g;

/** Splits text into lines, each with its terminator. '' has no lines; 'a\n' has one line, not two. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  lineBreak.lastIndex = 0;
  for (let match = lineBreak.exec(text); match !== null; match = lineBreak.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] as LineEnding, start });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '', start });
  return lines;
}

export function countLineEndings(text: string): LineEndingCounts {
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) lf++;
    else if (code === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    }
  }
  return { lf, crlf, cr };
}

/** The most frequent terminator. Ties and texts without any line break get LF, the common default. */
export function dominantLineEnding(counts: LineEndingCounts): LineEnding {
  if (counts.crlf > counts.lf && counts.crlf >= counts.cr) return '\r\n';
  if (counts.cr > counts.lf && counts.cr > counts.crlf) return '\r';
  return '\n';
}

/** What a model sends uses '\n', but some clients send '\r\n': fold both to '\n' before matching. */
export function toLf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function leadingWhitespace(line: string): string {
  const match = /^[ \t]*/.exec(line);
  return match === null ? '' : match[0];
}

/** Index of the line containing `offset`, given ascending line start offsets (binary search). */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
