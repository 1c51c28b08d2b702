import { revealHidden } from '../../protocol/hiddenCharacters';
import * as vscode from 'vscode';
import { describeBeforeAfter, type TestEvidence } from '../../protocol/testEvidence';
import { reviewCommandIds } from '../commands';
import { commandLink, type ReviewCommandArgument } from './reviewCommands';
import type { HunkLayout } from './hunkLayout';
import type { ProposalSide } from './proposalDocuments';
import type { HunkStatus } from './reviewState';
import { findingsForHunk, findingsMarkdown, type ShownFinding } from './reviewFindings';

/**
 * The hover on a proposed change: what it does, buttons to decide it, the lines it removes, and the
 * test evidence for the steps that made it (command, counts before and after, tests that no longer
 * run or were removed as declared, duration, excerpt). A hover provider
 * rather than a decoration's hover, so it also opens from the keyboard (Show Hover) and can be read
 * with `vscode.executeHoverProvider`.
 */

/** A verification, optionally naming the step it verified (then only that step's files show it). */
export type ReviewEvidence = TestEvidence & { readonly stepId?: string | undefined };

export interface HoverSubject {
  readonly runId: string;
  readonly path: string;
  readonly side: ProposalSide;
  readonly layouts: readonly HunkLayout[];
  readonly stepIds: readonly string[];
  readonly evidence: readonly ReviewEvidence[];
  /** The reviewer's findings of the run (shown with the changes they are about). */
  readonly findings?: readonly ShownFinding[];
  /** Why this file runs code and so always needs an explicit decision (FileChange.protectedReason). */
  readonly protectedReason?: string | undefined;
  status(hunk: string): HunkStatus | undefined;
}

/** The warning every review surface shows for a protected file. */
export function protectedTitle(path: string): string {
  return `⚠ Runs code: ${path} — needs your approval`;
}

const excerptLines = 20;

/** A fenced block; hidden characters in it are shown as ⟦U+XXXX⟧, never rendered invisibly. */
function fenced(raw: string, language: string): string {
  const text = revealHidden(raw).text;
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The evidence for a file's steps; evidence that names no step applies to every file. */
export function evidenceFor(evidence: readonly ReviewEvidence[], stepIds: readonly string[]): readonly ReviewEvidence[] {
  const relevant = evidence.filter((entry) => entry.stepId === undefined || stepIds.includes(entry.stepId));
  return relevant.length > 0 ? relevant : evidence;
}

export function evidenceMarkdown(evidence: readonly ReviewEvidence[]): string {
  const latest = evidence[evidence.length - 1];
  if (latest === undefined) return '_No test run verified this change._';
  const icon = { passed: '$(pass)', failed: '$(error)', unverified: '$(question)' }[latest.verdict];
  const title = { passed: 'Tests passed', failed: 'Tests failed', unverified: 'Not verified' }[latest.verdict];
  const older = evidence.length > 1 ? ` (latest of ${evidence.length} runs: ${evidence.map((entry) => entry.verdict).join(', ')})` : '';
  const facts = [
    latest.command === null ? 'no test command' : code(latest.command),
    latest.exitCode === null ? undefined : `exit ${latest.exitCode}`,
    latest.passed === undefined ? undefined : `${latest.passed} passed`,
    latest.failed === undefined ? undefined : `${latest.failed} failed`,
    latest.skipped === undefined ? undefined : `${latest.skipped} skipped`,
    latest.total === undefined ? undefined : `${latest.total} total`,
    seconds(latest.durationMs),
  ].filter((fact) => fact !== undefined);
  const parts = [`${icon} **${title}**${older}`, facts.join(' · ')];
  // The run compared with the suite before the run: what the verdict was earned against.
  if (latest.baseline !== undefined) parts.push(`Before → after: ${describeBeforeAfter(latest)}`);
  if (latest.reason.trim() !== '') parts.push(latest.reason.trim());
  if ((latest.missingTests ?? []).length > 0) parts.push(`No longer run (passed before the run): ${(latest.missingTests ?? []).map(code).join(', ')}`);
  if ((latest.removedTests ?? []).length > 0) parts.push(`Removed or renamed as the step declares: ${(latest.removedTests ?? []).map(code).join(', ')}`);
  if (latest.newFailures.length > 0) parts.push(`New failures: ${latest.newFailures.map(code).join(', ')}`);
  if (latest.preexistingFailures.length > 0) parts.push(`Already failing before the run: ${latest.preexistingFailures.map(code).join(', ')}`);
  const excerpt = latest.excerpt.trim().split('\n');
  if (excerpt.length > 0 && excerpt[0] !== '') {
    const shown = excerpt.slice(-excerptLines).join('\n');
    parts.push(fenced(excerpt.length > excerptLines ? `…\n${shown}` : shown, 'text'));
  }
  return parts.join('\n\n');
}

export function hunkMarkdown(subject: HoverSubject, layout: HunkLayout): vscode.MarkdownString {
  const position = subject.layouts.indexOf(layout) + 1;
  const status = subject.status(layout.id) ?? 'pending';
  const argument: ReviewCommandArgument = { runId: subject.runId, path: subject.path, hunk: layout.id };
  const counts = `+${layout.addedCount} −${layout.removedCount}`;
  const parts = [
    `**Change ${position} of ${subject.layouts.length}** in ${code(subject.path)} · ${counts} · _${status}_`,
    [`[✓ Accept](${commandLink('acceptHunk', argument)} "Accept this change")`, `[✗ Reject](${commandLink('rejectHunk', argument)} "Reject this change")`, `[Open Diff](${commandLink('openDiff', argument)} "Side by side with the original")`].join(' · '),
  ];
  if (subject.protectedReason !== undefined) parts.unshift(`$(warning) **${protectedTitle(subject.path).slice(2)}** (${subject.protectedReason}).`);
  if (layout.removedLines.length > 0 && !layout.deletesFile) {
    parts.push(`Removes ${layout.removedLines.length} line${layout.removedLines.length === 1 ? '' : 's'}:`, fenced(layout.removedLines.map((line) => `-${line}`).join('\n'), 'diff'));
  }
  parts.push('---', evidenceMarkdown(evidenceFor(subject.evidence, subject.stepIds)));
  const findings = findingsMarkdown(findingsForHunk(subject.findings ?? [], subject.path, subject.stepIds, subject.layouts, layout));
  if (findings !== '') parts.push('---', findings);
  const markdown = new vscode.MarkdownString(parts.join('\n\n'), true);
  markdown.isTrusted = { enabledCommands: [reviewCommandIds.acceptHunk, reviewCommandIds.rejectHunk, reviewCommandIds.openDiff] };
  return markdown;
}

/** Finds the hunk under a line on either side of a review. */
export function hunkAtLine(layouts: readonly HunkLayout[], side: ProposalSide, line: number, within: 'changes' | 'context'): HunkLayout | undefined {
  return layouts.find((layout) => {
    if (side === 'original') return layout.oldRange.start <= line && line <= layout.oldRange.end;
    if (within === 'changes' && side === 'proposed') return layout.first <= line && line <= layout.last;
    const range = side === 'proposed' ? layout.range : layout.newRange;
    return Math.min(range.start, layout.first) <= line && line <= Math.max(range.end, layout.last);
  });
}

export class ReviewHoverProvider implements vscode.HoverProvider {
  constructor(private readonly find: (uri: vscode.Uri) => HoverSubject | undefined) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const subject = this.find(document.uri);
    if (subject === undefined || subject.side === 'original') return undefined;
    const layout = hunkAtLine(subject.layouts, subject.side, position.line, 'changes');
    if (layout === undefined) return undefined;
    const last = Math.min(layout.last, document.lineCount - 1);
    return new vscode.Hover(hunkMarkdown(subject, layout), new vscode.Range(layout.first, 0, last, document.lineAt(last).text.length));
  }
}
