// The tool result a worker model reads after edit_file: one line per hunk, the exact reason and the
// file's real lines for every failure, and a no-op called a no-op (never "edited successfully").
// Quoted lines show hidden characters as ⟦U+XXXX⟧ (as read_file does) and are cut to a bounded
// length, and so is the whole report.
import { revealHidden } from '../../tools/dataText';
import { clipLine, clipReport } from './clip';
import type { AppliedBlock, EditOutcome, FailedBlock, MatchKind } from './searchReplace';

export interface EditReportOptions {
  /** The file's workspace-relative path, as the model named it. */
  readonly path: string;
  /** Longest run of candidate lines quoted back; long blocks would otherwise flood the context. */
  readonly maxQuotedLines?: number;
  /** Per hunk, what it starts with (its first context or `-` line), so the model knows which to resend. */
  readonly labels?: readonly string[];
}

export function formatEditReport(outcome: EditOutcome, options: EditReportOptions): string {
  const maxQuoted = options.maxQuotedLines ?? 30;
  const lines = [headline(outcome, options.path)];
  for (const block of outcome.blocks) {
    // A lone applied hunk needs no number; a failed one always gets it, to be named when resent.
    const name = hunkName(block.index, outcome.blocks.length > 1 || block.status === 'failed', options.labels);
    if (block.status === 'applied') lines.push(describeApplied(block, name));
    else lines.push(...describeFailed(block, name, maxQuoted));
  }
  if (outcome.failedCount > 0) {
    lines.push(outcome.appliedCount > 0
      ? 'The applied hunks are already in the file: resend only the failed hunks, matched against the file as it is now.'
      : 'Nothing was written. Fix the failed hunks and resend them.');
  }
  return clipReport(lines);
}

function headline(outcome: EditOutcome, path: string): string {
  const total = outcome.blocks.length;
  if (total === 0) return `No change to ${path}: no hunks were given.`;
  if (!outcome.changed) {
    if (outcome.appliedCount === 0) return `No change to ${path}: no hunk could be applied.`;
    return `No change to ${path}: the ${plural(outcome.appliedCount, 'hunk')} that matched replaced lines with identical lines.`;
  }
  if (outcome.failedCount === 0) return `Edited ${path}: ${total === 1 ? 'the hunk was' : `all ${total} hunks were`} applied.`;
  return `Edited ${path} partially: ${outcome.appliedCount} of ${total} hunks applied, ${outcome.failedCount} failed.`;
}

/** "Hunk 2 (-  let total = 0;)": the number counts the hunks as the model wrote them. */
function hunkName(index: number, numbered: boolean, labels: readonly string[] | undefined): string {
  const label = labels === undefined || labels[index] === undefined ? undefined : clipLine(labels[index], 80);
  const name = numbered ? `Hunk ${index + 1}` : 'Hunk';
  return label === undefined || label === '' ? name : `${name} (${label})`;
}

function describeApplied(block: AppliedBlock, name: string): string {
  // An empty old range is an insertion after its last line (appending at the end of the file).
  const where = block.endLine < block.startLine ? `after line ${block.endLine}` : `at ${span(block.startLine, block.endLine)}`;
  if (block.noOp) return `${name}: matched ${span(block.startLine, block.endLine)} but changed nothing (its "+" lines equal its "-" lines).`;
  const how = matchWords[block.match];
  const reindent = block.reindent === undefined ? '' : `, re-indented from ${describeIndent(block.reindent.from)} to ${describeIndent(block.reindent.to)}`;
  const now = block.newEndLine < block.newStartLine ? 'removed' : `now ${span(block.newStartLine, block.newEndLine)}`;
  return `${name}: applied (${how}${reindent}) ${where}; ${now}.`;
}

function describeFailed(block: FailedBlock, name: string, maxQuoted: number): string[] {
  const out = [`${name} FAILED: ${block.message}`];
  const candidate = block.candidate;
  if (candidate === undefined) return out;
  out.push(`  Closest lines in the file (${Math.round(candidate.similarity * 100)}% similar), ${span(candidate.startLine, candidate.endLine)}:`);
  const width = String(candidate.endLine).length;
  const shown = candidate.lines.slice(0, maxQuoted);
  // The same prefix as read_file's, so the "+" line check catches it when copied.
  shown.forEach((line, i) => out.push(`  ${String(candidate.startLine + i).padStart(width)}│${clipLine(revealHidden(line).text)}`));
  if (candidate.lines.length > shown.length) out.push(`  … ${candidate.lines.length - shown.length} more lines`);
  const diff = candidate.firstDifference;
  if (diff !== undefined) {
    // Long lines are cut around where they differ (the lines differ after their indentation).
    const file = revealHidden(diff.file).text;
    const hunk = revealHidden(diff.block).text;
    const fileLead = file.length - file.trimStart().length;
    const hunkLead = hunk.length - hunk.trimStart().length;
    const at = firstDifferentChar(file.slice(fileLead), hunk.slice(hunkLead));
    out.push(`  First difference at line ${diff.line}: the file has ${JSON.stringify(clipLine(file, undefined, fileLead + at))} where the hunk has ${JSON.stringify(clipLine(hunk, undefined, hunkLead + at))}.`);
  }
  return out;
}

const matchWords: Readonly<Record<MatchKind, string>> = {
  exact: 'exact match',
  'whitespace-tolerant': 'matched ignoring leading/trailing whitespace',
  'punctuation-tolerant': 'matched ignoring whitespace and typographic quotes and dashes',
};

function firstDifferentChar(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function span(start: number, end: number): string {
  return start === end ? `line ${start}` : `lines ${start}-${end}`;
}

function describeIndent(indent: string): string {
  if (indent === '') return 'no indentation';
  const tabs = indent.split('\t').length - 1;
  const spaces = indent.length - tabs;
  return [tabs > 0 ? plural(tabs, 'tab') : '', spaces > 0 ? plural(spaces, 'space') : ''].filter((part) => part !== '').join(' + ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
