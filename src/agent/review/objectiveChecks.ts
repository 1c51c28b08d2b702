import type { ObjectiveCheck } from '../../protocol/plan';
import type { TestEvidence } from '../../protocol/testEvidence';
import { decodeFile } from '../edits/fileCodec';
import { diffHunks } from '../edits/unifiedDiff';
import { steeringInChanges } from '../verify/verdictSteering';

/**
 * The checks the harness computes on a step's change, shown to the reviewer and to the user. They
 * anchor an LLM grader that drifts lenient: a failing one means `revise`, whatever the reviewer's
 * verdict. Every check decides from data the run already has (the change's bytes, the verifier's
 * evidence against the baseline), so it costs no model call and no process.
 */

export interface ReviewedChange {
  readonly path: string;
  /** Undefined: the file did not exist. */
  readonly before: Uint8Array | undefined;
  /** Undefined: the file was deleted. */
  readonly after: Uint8Array | undefined;
}

export interface ObjectiveInput {
  /** The files the step (or, for a run's review, the plan) owns. */
  readonly owned: readonly string[];
  readonly changes: readonly ReviewedChange[];
  /** The step's passing verification; absent when nothing could be run. */
  readonly evidence?: TestEvidence;
  /** The plan's estimate of lines added and removed. */
  readonly estimatedLines?: number;
}

/** Lines added and removed per file, from a line diff of each side's text (binary files count as one line). */
export interface DiffStats {
  readonly added: readonly { readonly path: string; readonly line: number; readonly text: string }[];
  readonly removedCount: number;
}

const markerPattern = /\b(TODO|FIXME|XXX)\b/;
/** A test disabled in an added line, in the common runners' spellings. */
const skipPattern = /\b(?:(?:it|test|describe|context)\.(?:skip|todo)|xit|xdescribe|xtest)\s*\(|@pytest\.mark\.skip|@unittest\.skip|\bt\.Skip(?:Now|f)?\(|#\[ignore\]|@Disabled\b|@Ignore\b/;
/** Type errors the way tsc prints them (`a.ts(3,5): error TS2322` and `a.ts:3:5 - error TS2322`), and pyright/mypy's `a.py:3: error:`. */
const diagnosticPattern = /^\s*([^\s:()][^:()]*?)(?:\((\d+),\d+\)|:(\d+)(?::\d+)?)\s*(?:-\s*)?:?\s*error\b[\s:]*(.*)$/;

function textOf(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return '';
  const decoded = decodeFile(bytes);
  return decoded.kind === 'unsupported' ? undefined : decoded.text;
}

export function diffStats(changes: readonly ReviewedChange[]): DiffStats {
  const added: { path: string; line: number; text: string }[] = [];
  let removedCount = 0;
  for (const change of changes) {
    const before = textOf(change.before);
    const after = textOf(change.after);
    if (before === undefined || after === undefined) {
      added.push({ path: change.path, line: 1, text: '(binary content)' });
      continue;
    }
    for (const hunk of diffHunks(before, after, 0)) {
      let line = hunk.newStart;
      for (const diffLine of hunk.lines) {
        if (diffLine.kind === 'add') added.push({ path: change.path, line: line++, text: diffLine.text });
        else if (diffLine.kind === 'remove') removedCount += 1;
        else line += 1;
      }
    }
  }
  return { added, removedCount };
}

/** A diff this much larger than the plan's estimate is not the change the plan described. */
export function diffSizeLimit(estimate: number): number {
  return estimate * 3 + 20;
}

const sample = (items: readonly string[], max = 5): string => `${items.slice(0, max).join('; ')}${items.length > max ? `; and ${items.length - max} more` : ''}`;

export function objectiveChecks(input: ObjectiveInput): ObjectiveCheck[] {
  const stats = diffStats(input.changes);
  const touched = new Set(input.changes.map((change) => change.path));

  const outside = input.changes.map((change) => change.path).filter((path) => !input.owned.includes(path));
  const outsideCheck: ObjectiveCheck = {
    id: 'outside-files',
    ok: outside.length === 0,
    detail: outside.length === 0 ? 'Every changed file belongs to the step.' : `Changed outside the step's files: ${sample(outside)}.`,
  };

  const evidence = input.evidence;
  const missing = evidence?.missingTests ?? [];
  const skippedBefore = evidence?.baseline?.skipped ?? 0;
  const skippedNow = evidence?.skipped ?? 0;
  const skipLines = stats.added.filter((line) => skipPattern.test(line.text)).map((line) => `${line.path}:${String(line.line)}`);
  const removedProblems = [
    ...(missing.length > 0 ? [`tests that passed before the run no longer run: ${sample(missing)}`] : []),
    ...(skippedNow > skippedBefore ? [`skipped tests went from ${String(skippedBefore)} to ${String(skippedNow)}`] : []),
    ...(skipLines.length > 0 ? [`added lines disable tests at ${sample(skipLines)}`] : []),
  ];
  const testsCheck: ObjectiveCheck = {
    id: 'tests-removed',
    ok: removedProblems.length === 0,
    detail:
      removedProblems.length === 0
        ? `No test removed or skipped${evidence?.removedTests !== undefined && evidence.removedTests.length > 0 ? ` beyond those the plan declared (${sample(evidence.removedTests)})` : ''}.`
        : `${removedProblems.join('; ')}.`,
  };

  const steering = steeringInChanges(input.changes);
  const steeringCheck: ObjectiveCheck = {
    id: 'steers-tests',
    ok: steering.length === 0,
    detail:
      steering.length === 0
        ? 'No added code that can steer its own test results.'
        : `Added code that can steer its own test results, so a green run does not prove it: ${sample(steering.map((finding) => `${finding.path}:${String(finding.line)} ${finding.what}`), 3)}. Remove it, or say in finish why the change needs it.`,
  };

  const diagnostics = (evidence?.excerpt ?? '')
    .split('\n')
    .map((line) => diagnosticPattern.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && touched.has(normalizeReported(match[1] ?? '')))
    .map((match) => `${normalizeReported(match[1] ?? '')}:${match[2] ?? match[3] ?? ''} ${(match[4] ?? '').trim()}`.trim());
  const diagnosticsCheck: ObjectiveCheck = {
    id: 'new-diagnostics',
    ok: diagnostics.length === 0,
    detail: diagnostics.length === 0 ? "No type error or diagnostic in the step's files in the verification's output." : `Errors reported in the step's files: ${sample(diagnostics, 3)}.`,
  };

  const markers = stats.added.filter((line) => markerPattern.test(line.text)).map((line) => `${line.path}:${String(line.line)}`);
  const todoCheck: ObjectiveCheck = {
    id: 'new-todo',
    ok: markers.length === 0,
    detail: markers.length === 0 ? 'No TODO, FIXME or XXX added.' : `Added TODO/FIXME/XXX at ${sample(markers)}: finish the work or say in finish why it cannot be.`,
  };

  const changed = stats.added.length + stats.removedCount;
  const estimate = input.estimatedLines;
  const sizeCheck: ObjectiveCheck =
    estimate === undefined
      ? { id: 'diff-size', ok: true, detail: `${String(changed)} lines changed (the plan gave no estimate).` }
      : {
          id: 'diff-size',
          ok: changed <= diffSizeLimit(estimate),
          detail: `${String(changed)} lines changed against the plan's estimate of ${String(estimate)}${changed <= diffSizeLimit(estimate) ? '.' : ` (more than ${String(diffSizeLimit(estimate))}): keep to what the step asks.`}`,
        };

  return [outsideCheck, testsCheck, steeringCheck, diagnosticsCheck, todoCheck, sizeCheck];
}

/** A path as a tool printed it (`./src/a.ts`, `src\\a.ts`) in the workspace-relative form. */
function normalizeReported(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

/** The checks as the reviewer and the worker read them: one line each. */
export function describeChecks(checks: readonly ObjectiveCheck[]): string {
  return checks.map((check) => `- ${check.ok ? 'pass' : 'FAIL'} ${check.id}: ${check.detail}`).join('\n');
}
