import type { HunkLayout } from './hunkLayout';

/**
 * Next / previous change across a review's files, in file order then line order, wrapping around.
 * A file without hunks (binary content) is one stop at its top. Pure: no vscode.
 */
export interface Stop {
  readonly file: number;
  /** The hunk's id, or the file's path for a file decided as a whole (`unitsOf`). */
  readonly hunk: string;
  readonly line: number;
}

export interface Position {
  readonly file: number;
  readonly line: number;
}

export function stopsOf(files: readonly { readonly path: string; readonly layouts: readonly HunkLayout[] }[]): Stop[] {
  return files.flatMap((file, index) =>
    file.layouts.length === 0 ? [{ file: index, hunk: file.path, line: 0 }] : file.layouts.map((layout) => ({ file: index, hunk: layout.id, line: layout.first })),
  );
}

const after = (stop: Stop, at: Position): boolean => stop.file > at.file || (stop.file === at.file && stop.line > at.line);
const before = (stop: Stop, at: Position): boolean => stop.file < at.file || (stop.file === at.file && stop.line < at.line);

/** The stop after (or before) a position; from nowhere, the first (or last) one. */
export function step(stops: readonly Stop[], at: Position | undefined, direction: 1 | -1): Stop | undefined {
  if (at === undefined) return direction === 1 ? stops[0] : stops[stops.length - 1];
  if (direction === 1) return stops.find((stop) => after(stop, at)) ?? stops[0];
  return [...stops].reverse().find((stop) => before(stop, at)) ?? stops[stops.length - 1];
}

/** The first stop after a position, wrapping around, that is still undecided. */
export function nextPending(stops: readonly Stop[], at: Position | undefined, pending: (stop: Stop) => boolean): Stop | undefined {
  const start = at === undefined ? 0 : stops.findIndex((stop) => after(stop, at));
  const from = start < 0 ? 0 : start;
  const ordered = [...stops.slice(from), ...stops.slice(0, from)];
  return ordered.find(pending);
}
