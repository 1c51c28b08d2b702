import type { ChangedFile, Hunk } from '../protocol/run';
import { paint, terminalSafe, type Terminal } from './terminal';

/**
 * A change set's hunks as the terminal shows them, in unified diff form, painted from their
 * structure (no diff text parsed back). Hidden characters are shown as ⟦U+XXXX⟧: what a person
 * approves is what the file holds.
 */
const marks = { context: ' ', add: '+', remove: '-' } as const;
const colors = { context: undefined, add: 'green', remove: 'red' } as const;

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

export function paintHunk(terminal: Pick<Terminal, 'colors'>, hunk: Hunk): string {
  const out = [paint(terminal, 'cyan', `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`)];
  for (const line of hunk.lines) {
    // The mark goes first, so even a byte order mark at the start of a line is revealed.
    const text = terminalSafe(`${marks[line.kind]}${line.text}`);
    const color = colors[line.kind];
    out.push(color === undefined ? text : paint(terminal, color, text));
    if (line.eol === '') out.push('\\ No newline at end of file');
  }
  return out.join('\n');
}

/** A whole file: `--- a/path`, `+++ b/path` and its hunks; a file without hunks (binary) in one line. */
export function paintFileChange(terminal: Pick<Terminal, 'colors'>, file: Pick<ChangedFile, 'path' | 'kind' | 'hunks'>): string {
  if (file.hunks.length === 0) return `${file.kind} ${file.path} (binary)`;
  return [paint(terminal, 'bold', `--- a/${terminalSafe(file.path)}`), paint(terminal, 'bold', `+++ b/${terminalSafe(file.path)}`), ...file.hunks.map((hunk) => paintHunk(terminal, hunk))].join('\n');
}
