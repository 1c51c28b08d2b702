import { decodeFile, unifiedDiff, type DiffHunk } from '../edits';
import { hunksOf } from '../review/selectHunks';
import { protectedChangeReason } from '../workspace/protectedPaths';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { FileChange } from '../../protocol/run';

/** Turns staged changes into what a reviewer reads: a unified diff per file (none for binary content). */
export function describeChanges(changes: readonly StagedChange[], stepsByFile: ReadonlyMap<string, readonly string[]>): FileChange[] {
  return changes.map((change) => {
    const before = change.before === undefined ? { kind: 'text' as const, text: '' } : decodeFile(change.before);
    const after = change.after === undefined ? { kind: 'text' as const, text: '' } : decodeFile(change.after);
    const diff = before.kind === 'text' && after.kind === 'text' ? unifiedDiff(before.text, after.text, { path: change.path }) : '';
    const hunks = (hunksOf(change) ?? []).map((hunk, index) => ({
      index,
      oldStart: hunk.oldStart,
      oldLines: hunk.oldLines,
      newStart: hunk.newStart,
      newLines: hunk.newLines,
      diff: hunkText(hunk),
    }));
    const beforeText = change.before !== undefined && before.kind === 'text' ? before.text : null;
    const afterText = change.after !== undefined && after.kind === 'text' ? after.text : null;
    // Binary content of a package.json counts as unparseable, hence protected: pass '' for it.
    const reason = protectedChangeReason(change.path, change.before === undefined ? null : (beforeText ?? ''), change.after === undefined ? null : (afterText ?? ''));
    return {
      path: change.path,
      kind: change.kind,
      diff,
      hunks,
      beforeText,
      afterText,
      stepIds: [...(stepsByFile.get(change.path) ?? [])],
      ...(reason !== undefined ? { protectedReason: reason } : {}),
    };
  });
}

function hunkText(hunk: DiffHunk): string {
  const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);
  const header = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
  const marks = { context: ' ', add: '+', remove: '-' } as const;
  return [header, ...hunk.lines.map((line) => `${marks[line.kind]}${line.text}`)].join('\n');
}

/** "3 files changed, 12 insertions(+), 4 deletions(-)" from unified diffs. */
export function diffStat(files: readonly FileChange[]): string {
  let added = 0;
  let removed = 0;
  for (const file of files) {
    for (const line of file.diff.split('\n')) {
      if (line.startsWith('+') && !line.startsWith('+++')) added += 1;
      else if (line.startsWith('-') && !line.startsWith('---')) removed += 1;
    }
  }
  return `${files.length} file${files.length === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+), ${removed} deletion${removed === 1 ? '' : 's'}(-)`;
}
