import type { DiffHunk } from '../edits';
import type { DiffLine, Hunk } from '../../protocol/run';

/**
 * A hunk's id: its file, its place, and a hash of its lines (`src/a.ts#12,3+12,4~1f2e3d4c`). Its
 * place makes it unique in a change set; the hash makes a decision about another version of the
 * change (an older review's answer) name nothing rather than the wrong lines. Computing the same
 * change again gives the same ids.
 */
export function hunkId(path: string, hunk: DiffHunk): string {
  return `${path}#${hunk.oldStart},${hunk.oldLines}+${hunk.newStart},${hunk.newLines}~${linesHash(hunk.lines)}`;
}

/** FNV-1a over the lines' kinds, texts and terminators: short, stable, and enough to tell versions apart. */
function linesHash(lines: DiffHunk['lines']): string {
  let hash = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  };
  for (const line of lines) {
    mix(line.kind.charAt(0));
    mix(line.text);
    mix(line.eol);
    mix('\u0000');
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const eolOf = (eol: string): DiffLine['eol'] => (eol === '\n' || eol === '\r\n' || eol === '\r' ? eol : '');

/** A diff's hunks as the change set carries them: each with its id, the lines as structure. */
export function identifyHunks(path: string, hunks: readonly DiffHunk[]): Hunk[] {
  return hunks.map((hunk) => ({
    id: hunkId(path, hunk),
    oldStart: hunk.oldStart,
    oldLines: hunk.oldLines,
    newStart: hunk.newStart,
    newLines: hunk.newLines,
    lines: hunk.lines.map((line) => ({ kind: line.kind, text: line.text, eol: eolOf(line.eol) })),
  }));
}
