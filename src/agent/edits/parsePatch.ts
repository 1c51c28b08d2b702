// Reads edit_file's `patch`: hunks of ` ` (context), `-` (remove) and `+` (add) lines, separated by
// `@@` lines. Each hunk becomes one search/replace block for the engine, so hunks stay independent:
// located on their own, order-free, and one that does not match never stops the others.

/** More hunks than this in one call is a rewrite; create_file or several calls say that better. */
export const maxHunks = 50;

export type PatchLineKind = 'context' | 'remove' | 'add';

export interface PatchLine {
  readonly kind: PatchLineKind;
  /** The line without its marker and without a terminator. */
  readonly text: string;
}

export interface PatchHunk {
  /** 1-based, in the order the model wrote them; error reports name hunks by this. */
  readonly number: number;
  readonly lines: readonly PatchLine[];
}

export type ParsedPatch = { readonly ok: true; readonly hunks: readonly PatchHunk[] } | { readonly ok: false; readonly error: string };

const markers: Readonly<Record<string, PatchLineKind>> = { ' ': 'context', '-': 'remove', '+': 'add' };

/** Lines that only mark the end of a file in diff formats; they carry no text. */
const ignoredLine = /^(\\ No newline at end of file|\*\*\* End of File)\s*$/;

/** A wrapper or file header some models put around the hunks; skipped where it can appear. */
const leadingWrapper = /^(\*\*\* Begin Patch|\*\*\* Update File:.*)\s*$/;
const trailingWrapper = /^\*\*\* End Patch\s*$/;

export function parsePatch(patch: string): ParsedPatch {
  const lines = patch.split(/\r\n|\r|\n/);
  const first = skipLeading(lines);
  const end = skipTrailing(lines, first);

  const hunks: { number: number; lines: PatchLine[]; startsAt: number }[] = [];
  let current: { number: number; lines: PatchLine[]; startsAt: number } | undefined;
  // Empty lines seen since the last marked line: blank context inside a hunk, spacing at its edges.
  let pendingBlank = 0;
  for (let at = first; at < end; at++) {
    const line = lines[at] ?? '';
    if (line.startsWith('@@')) {
      current = undefined;
      pendingBlank = 0;
      continue;
    }
    if (ignoredLine.test(line)) continue;
    if (startsFile(lines, at)) {
      return fail(`patch line ${at + 1} starts another file's header (${JSON.stringify(clip(line))}); edit_file changes one file: send one call per file.`);
    }
    // Models often drop the space of a blank context line; inside a hunk an empty line means nothing else.
    if (line === '') {
      pendingBlank += 1;
      continue;
    }
    const kind = markers[line.charAt(0)];
    if (kind === undefined) {
      return fail(
        `patch line ${at + 1} (hunk ${current?.number ?? hunks.length + 1}) starts with ${JSON.stringify(line.charAt(0))}: ${JSON.stringify(clip(line))}. ` +
          'Every line of a hunk starts with " " (an unchanged context line), "-" (a line to remove) or "+" (a line to add); a line starting with "@@" starts the next hunk.',
      );
    }
    if (current === undefined) {
      current = { number: hunks.length + 1, lines: [], startsAt: at + 1 };
      hunks.push(current);
    } else {
      for (; pendingBlank > 0; pendingBlank--) current.lines.push({ kind: 'context', text: '' });
    }
    pendingBlank = 0;
    current.lines.push({ kind, text: line.slice(1) });
  }

  if (hunks.length === 0) return fail('the patch has no hunks: give the lines to change, each starting with "-" or "+", with unchanged context lines starting with " ".');
  if (hunks.length > maxHunks) return fail(`the patch has ${hunks.length} hunks; at most ${maxHunks} fit in one call. Split the edit over several calls.`);
  for (const hunk of hunks) {
    if (!hunk.lines.some((line) => line.kind !== 'context')) {
      return fail(`hunk ${hunk.number} (from patch line ${hunk.startsAt}) has nothing to change: it has no "-" or "+" lines.`);
    }
  }
  return { ok: true, hunks: hunks.map((hunk) => ({ number: hunk.number, lines: hunk.lines })) };
}

/** The block the engine locates: old = context and `-` lines, new = context and `+` lines, whole lines each. */
export function hunkToBlock(hunk: PatchHunk, matchable: (text: string) => string = (text) => text): { oldText: string; newText: string } {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  for (const line of hunk.lines) {
    if (line.kind !== 'add') oldLines.push(matchable(line.text));
    if (line.kind === 'context') newLines.push(matchable(line.text));
    if (line.kind === 'add') newLines.push(line.text);
  }
  return { oldText: joinLines(oldLines), newText: joinLines(newLines) };
}

/** How a report names a hunk: its first context or `-` line, which is what has to match. */
export function hunkLabel(hunk: PatchHunk): string {
  const anchor = hunk.lines.find((line) => line.kind !== 'add' && line.text.trim() !== '') ?? hunk.lines[0];
  if (anchor === undefined) return '';
  return `${anchor.kind === 'remove' ? '-' : anchor.kind === 'add' ? '+' : ' '}${clip(anchor.text.trim())}`;
}

function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function skipLeading(lines: readonly string[]): number {
  let at = 0;
  while (at < lines.length && (lines[at] === '' || leadingWrapper.test(lines[at] ?? ''))) at++;
  // A unified diff's file header: "--- a/x" then "+++ b/x". Only as a pair, so a real removed line
  // that happens to start with "--" is never swallowed.
  if (lines[at]?.startsWith('--- ') === true && lines[at + 1]?.startsWith('+++ ') === true) at += 2;
  return at;
}

/** A file header after the start: a second file, which one edit_file call cannot change. */
function startsFile(lines: readonly string[], at: number): boolean {
  const line = lines[at] ?? '';
  return leadingWrapper.test(line) || (line.startsWith('--- ') && lines[at + 1]?.startsWith('+++ ') === true);
}

function skipTrailing(lines: readonly string[], first: number): number {
  let end = lines.length;
  while (end > first && (lines[end - 1] === '' || trailingWrapper.test(lines[end - 1] ?? ''))) end--;
  return end;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function fail(error: string): ParsedPatch {
  return { ok: false, error };
}
