import type { ChangedFile, FileChange, ReviewDecisions } from '../protocol/run';
import { askInTerminal } from './askInTerminal';
import { paintHunk } from './hunkView';
import { paint, type Terminal, terminalSafe } from './terminal';

/** Asks one question and returns the answer (`askInTerminal`; a test passes its own). */
export type Ask = (question: string, defaultAnswer: string, signal: AbortSignal, fallback?: string) => Promise<string>;

type Decision = ReviewDecisions['decisions'][number];

/** The line every review shows above a file that runs code: it is never applied without a yes. */
export function protectedWarning(terminal: Pick<Terminal, 'colors'>, file: Pick<ChangedFile, 'path' | 'protectedReason'>): string {
  return paint(terminal, 'yellow', `⚠ Runs code: ${terminalSafe(file.path)} — needs your approval (${file.protectedReason ?? 'protected'}).`);
}

/**
 * `plumbline run`'s review: asks hunk by hunk (y/n), with shortcuts for the rest of a file (a/d) or
 * of the review (A/q). Decisions name the change set's hunk ids.
 */
export async function reviewInTerminal(files: readonly FileChange[], terminal: Terminal, signal: AbortSignal, ask: Ask = askInTerminal): Promise<Decision[]> {
  const decisions: Decision[] = [];
  let rest: 'accept' | 'reject' | undefined;
  for (const file of files) {
    // "All files" covers the files not yet shown, but never one that runs code: that is always asked.
    if (rest !== undefined && !(rest === 'accept' && file.protectedReason !== undefined)) {
      if (rest === 'accept') decisions.push({ path: file.path, hunks: 'all' });
      continue;
    }
    const restBefore = rest;
    rest = undefined;
    terminal.write(`\n${paint(terminal, 'bold', `${file.kind} ${terminalSafe(file.path)}`)}\n`);
    if (file.protectedReason !== undefined) terminal.write(`${protectedWarning(terminal, file)}\n`);
    if (file.hunks.length === 0) {
      const answer = await ask(`Apply this ${file.kind}? [y]es / [n]o / [A]ll files / [q]uit `, 'n', signal, 'q');
      if (answer === 'A') rest = 'accept';
      if (answer.toLowerCase().startsWith('q')) rest = 'reject';
      if (answer.toLowerCase().startsWith('y') || rest === 'accept') decisions.push({ path: file.path, hunks: 'all' });
      rest ??= restBefore;
      continue;
    }
    const accepted: string[] = [];
    let fileRest: 'accept' | 'reject' | undefined;
    for (const [position, hunk] of file.hunks.entries()) {
      if (fileRest !== undefined || rest !== undefined) {
        if (fileRest === 'accept' || rest === 'accept') accepted.push(hunk.id);
        continue;
      }
      terminal.write(`${paintHunk(terminal, hunk)}\n`);
      const answer = await ask(
        `Hunk ${position + 1}/${file.hunks.length}: [y]es / [n]o / [a]ll in file / [d]rop rest of file / [A]ll files / [q]uit `,
        'n',
        signal,
        'q',
      );
      const raw = answer.trim();
      if (raw === 'A') rest = 'accept';
      else if (raw.toLowerCase().startsWith('q')) rest = 'reject';
      else if (raw.startsWith('a')) fileRest = 'accept';
      else if (raw.startsWith('d')) fileRest = 'reject';
      if (raw.startsWith('y') || fileRest === 'accept' || rest === 'accept') accepted.push(hunk.id);
    }
    if (accepted.length > 0) decisions.push({ path: file.path, hunks: accepted.length === file.hunks.length ? 'all' : accepted });
    rest ??= restBefore;
  }
  return decisions;
}
