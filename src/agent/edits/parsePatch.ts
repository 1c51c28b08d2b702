// Reads edit_file's `patch`: hunks of ` ` (context), `-` (remove) and `+` (add) lines, separated by
// `@@` lines. Each hunk becomes one search/replace block for the engine, so hunks stay independent:
// located on their own, order-free, and one that does not match never stops the others. The
// wrappers models put around hunks (Codex's `*** Begin Patch` format, a unified diff's file header)
// are understood, for one file; what edit_file cannot do (add, delete, move, several files) is
// refused naming the tool that can, and so are "+" lines that would write something nobody meant:
// a copied read_file line number, or characters nobody can see.
import { hiddenToWrite, revealHidden } from '../../tools/dataText';
import type { BlockLine } from './blockLines';
import { clipLine } from './clip';
import type { EditBlock } from './searchReplace';

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
  /** The text after `@@` (`@@ def f`, or a unified header's section heading): lines that come before the hunk, in order. */
  readonly anchors: readonly string[];
  /** A unified header's old start line (`@@ -12,3 +12,4 @@`). */
  readonly oldStart?: number;
  /** Followed by `*** End of File`: the hunk ends the file; a hunk of "+" lines only is appended. */
  readonly atEnd: boolean;
}

export type ParsedPatch = { readonly ok: true; readonly hunks: readonly PatchHunk[] } | { readonly ok: false; readonly error: string };

const markers: Readonly<Record<string, PatchLineKind>> = { ' ': 'context', '-': 'remove', '+': 'add' };

/** Codex's apply_patch markers, recognised however they are padded; never read as content. */
const wrapper = /^\s*\*\*\* (Begin Patch|End Patch|End of File|Update File:|Add File:|Delete File:|Move to:)[ \t]*(.*?)\s*$/;
const noNewline = /^\\ No newline at end of file\s*$/;
const unifiedHeader = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@(.*)$/;
/** read_file's line prefix ("  12│"), copied by mistake. */
const lineNumberPrefix = /^\s*\d+│/;

interface Draft {
  number: number;
  lines: PatchLine[];
  startsAt: number;
  anchors: string[];
  oldStart?: number;
  atEnd: boolean;
}

export function parsePatch(patch: string): ParsedPatch {
  const lines = patch.split(/\r\n|\r|\n/);
  const hunks: Draft[] = [];
  let current: Draft | undefined;
  // Empty lines seen since the last marked line: blank context inside a hunk, spacing at its edges.
  let pendingBlank = 0;
  let anchors: string[] = [];
  let oldStart: number | undefined;
  let file: { readonly path: string; readonly line: number } | undefined;
  const close = (): void => {
    current = undefined;
    pendingBlank = 0;
  };

  for (let at = 0; at < lines.length; at++) {
    const line = lines[at] ?? '';
    const where = `patch line ${at + 1}`;
    const marker = wrapper.exec(line);
    const [, name, rest = ''] = marker ?? [];
    if (name !== undefined && (name.endsWith(':') || rest === '')) {
      if (name === 'Add File:') return fail(`${where} adds a file (${clipLine(rest, 80)}): edit_file only changes an existing file. Create a new file with create_file, one call per file.`);
      if (name === 'Delete File:') return fail(`${where} deletes a file (${clipLine(rest, 80)}): use delete_file for that; edit_file only changes lines of one existing file.`);
      if (name === 'Move to:') return fail(`${where} moves the file to ${clipLine(rest, 80)}: edit_file cannot rename. Create the new file with create_file and remove the old one with delete_file.`);
      if (name === 'Update File:') {
        const other = anotherFile(file, rest, at);
        if (other !== undefined) return fail(other);
        file ??= { path: rest, line: at + 1 };
      }
      if (name === 'End of File' && current !== undefined) current.atEnd = true;
      close();
      continue;
    }
    if (noNewline.test(line)) continue;
    const next = lines[at + 1];
    if (line.startsWith('--- ') && next?.startsWith('+++ ') === true) {
      // A unified diff's file header: "--- a/x" then "+++ b/x", only ever as a pair.
      const from = headerPath(line.slice(4));
      const to = headerPath(next.slice(4));
      if (from === '/dev/null') return fail(`${where} creates a file (--- /dev/null): use create_file for a new file; edit_file only changes an existing one.`);
      if (to === '/dev/null') return fail(`${where} deletes a file (+++ /dev/null): use delete_file for that.`);
      const other = anotherFile(file, to, at + 1);
      if (other !== undefined) return fail(other);
      file ??= { path: to, line: at + 2 };
      at++;
      close();
      continue;
    }
    if (line.startsWith('@@')) {
      if (current !== undefined) {
        anchors = [];
        oldStart = undefined;
      }
      const unified = unifiedHeader.exec(line);
      const anchor = (unified === null ? line.slice(2) : unified[2] ?? '').trim();
      if (unified !== null) oldStart = Number(unified[1]);
      if (anchor !== '' && anchor !== '@@') anchors.push(anchor);
      close();
      continue;
    }
    // Models often drop the space of a blank context line; inside a hunk an empty line means nothing else.
    if (line === '') {
      pendingBlank += 1;
      continue;
    }
    const hunkNumber = current?.number ?? hunks.length + 1;
    const kind = markers[line.charAt(0)];
    if (kind === undefined) {
      if (lineNumberPrefix.test(line)) return fail(prefixError(where, hunkNumber, line));
      return fail(
        `${where} (hunk ${hunkNumber}) starts with ${JSON.stringify(line.charAt(0))}: ${quote(line)}. ` +
          'Every line of a hunk starts with " " (an unchanged context line), "-" (a line to remove) or "+" (a line to add); a line starting with "@@" starts the next hunk.',
      );
    }
    const text = line.slice(1);
    if (kind === 'add') {
      if (lineNumberPrefix.test(text)) return fail(prefixError(where, hunkNumber, line));
      const hidden = hiddenToWrite(text, false);
      if (hidden.length > 0) {
        return fail(
          `${where} (a "+" line of hunk ${hunkNumber}) holds characters that are invisible or reorder text: ${hidden.join(' ')}, in ${quote(line)}. ` +
            'They are refused so that nothing lands unseen: leave them out, or write an escape sequence (such as \\u202E) where the code needs one.',
        );
      }
    }
    if (current === undefined) {
      current = { number: hunks.length + 1, lines: [], startsAt: at + 1, anchors, atEnd: false, ...(oldStart === undefined ? {} : { oldStart }) };
      hunks.push(current);
      anchors = [];
      oldStart = undefined;
    } else {
      for (; pendingBlank > 0; pendingBlank--) current.lines.push({ kind: 'context', text: '' });
    }
    pendingBlank = 0;
    current.lines.push({ kind, text });
  }

  if (hunks.length === 0) return fail('the patch has no hunks: give the lines to change, each starting with "-" or "+", with unchanged context lines starting with " ".');
  if (hunks.length > maxHunks) return fail(`the patch has ${hunks.length} hunks; at most ${maxHunks} fit in one call. Split the edit over several calls.`);
  for (const hunk of hunks) {
    if (!hunk.lines.some((line) => line.kind !== 'context')) {
      return fail(`hunk ${hunk.number} (from patch line ${hunk.startsAt}) has nothing to change: it has no "-" or "+" lines.`);
    }
  }
  return {
    ok: true,
    hunks: hunks.map(({ startsAt: _startsAt, ...hunk }) => hunk),
  };
}

/** The block the engine locates: old = context and `-` lines, new = context and `+` lines, with the hunk's own lines and hints. */
export function hunkToBlock(hunk: PatchHunk, matchable: (text: string) => string = (text) => text): EditBlock {
  // Context and "-" lines are what has to match; "+" lines are written exactly as given.
  const lines: BlockLine[] = hunk.lines.map((line) => (line.kind === 'add' ? line : { kind: line.kind, text: matchable(line.text) }));
  return {
    oldText: joinLines(lines.filter((line) => line.kind !== 'add').map((line) => line.text)),
    newText: joinLines(lines.filter((line) => line.kind !== 'remove').map((line) => line.text)),
    lines,
    ...(hunk.anchors.length > 0 ? { anchors: hunk.anchors.map(matchable) } : {}),
    ...(hunk.oldStart === undefined ? {} : { lineHint: hunk.oldStart }),
    ...(hunk.atEnd ? { atEnd: true } : {}),
  };
}

/** How a report names a hunk: its first context or `-` line, which is what has to match. */
export function hunkLabel(hunk: PatchHunk): string {
  const anchor = hunk.lines.find((line) => line.kind !== 'add' && line.text.trim() !== '') ?? hunk.lines[0];
  if (anchor === undefined) return '';
  return `${anchor.kind === 'remove' ? '-' : anchor.kind === 'add' ? '+' : ' '}${clipLine(revealHidden(anchor.text.trim()).text, 80)}`;
}

function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** A diff header's path: without quotes or the timestamp `diff -u` puts after a tab. */
function headerPath(text: string): string {
  const path = text.split('\t')[0]?.trim() ?? '';
  return path.length > 1 && path.startsWith('"') && path.endsWith('"') ? path.slice(1, -1) : path;
}

/** git's a/ and b/ prefixes and a leading ./ name the same file. */
function samePath(a: string, b: string): boolean {
  const plain = (path: string): string => path.replace(/^(?:[ab]\/)?(?:\.\/)?/, '');
  return a === b || plain(a) === plain(b);
}

/** The refusal when a header names a second file. */
function anotherFile(file: { readonly path: string; readonly line: number } | undefined, path: string, at: number): string | undefined {
  if (file === undefined || samePath(file.path, path)) return undefined;
  return `the patch changes more than one file (${clipLine(file.path, 80)} on patch line ${file.line}, ${clipLine(path, 80)} on patch line ${at + 1}): one edit_file call changes one file; send one call per file.`;
}

function prefixError(where: string, hunk: number, line: string): string {
  const prefix = lineNumberPrefix.exec(line.replace(/^[-+ ]/, ''))?.[0].trim() ?? '';
  return `${where} (hunk ${hunk}) carries a read_file line-number prefix (${JSON.stringify(prefix)}): ${quote(line)}. The prefix is not part of the file: remove it from every line and resend.`;
}

/** A patch line as a report quotes it: hidden characters shown, long lines cut. */
function quote(line: string): string {
  const revealed = revealHidden(line).text;
  return JSON.stringify(clipLine(revealed, 80, Math.max(0, revealed.indexOf('⟦U+'))));
}

function fail(error: string): ParsedPatch {
  return { ok: false, error };
}
