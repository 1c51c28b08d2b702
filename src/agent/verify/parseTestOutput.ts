// Reads a test run's output into counts, failures and the tests it names, and cuts the part of a
// failing log worth showing a model. The exit status decides pass/fail; this explains it, tells a
// run that ran no test at all (total 0) from one that passed, and names the tests that ran so a
// verification can be compared with the baseline.
import type { RunnerKind } from './detectTestCommand';
import { indentOf, isForeignFrame, lastIndexWhere, readJunit, readNodeSpec, readTap, type FormatReader, type TestFailure, type TestSummary } from './testOutputFormats';
import { readGo, readGoEvents } from './testOutputGo';
import { readCargo, readJest, readMocha, readPytest, readVitest } from './testOutputRunners';

export type { TestFailure, TestRecord, TestStatus, TestSummary } from './testOutputFormats';

/** Every reader, in the order tried when the runner is unknown: the most distinctive formats first,
 * JUnit last (a console log may quote XML). */
const READERS: readonly FormatReader[] = [readNodeSpec, readTap, readVitest, readJest, readMocha, readPytest, readCargo, readGo, readJunit];

const BY_RUNNER: Readonly<Partial<Record<RunnerKind, readonly FormatReader[]>>> = {
  'node-test': [readNodeSpec, readTap, readJunit],
  vitest: [readVitest, readJunit],
  jest: [readJest, readJunit],
  mocha: [readMocha, readTap, readJunit],
  pytest: [readPytest, readJunit],
  cargo: [readCargo],
  go: [readGo],
};

/** Without colours, cursor codes and carriage-return progress lines; `go test -json`'s events as the text they carry. */
export function plainText(output: string): string {
  const text = readGoEvents(output)?.text ?? output;
  // eslint-disable-next-line no-control-regex -- terminal escape sequences are exactly what is removed
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '').replace(/\r\n?/g, '\n');
}

/** Counts and failures from a test run's output; `hint` (the detected runner) picks the reader to try first. */
export function parseTestOutput(output: string, hint?: RunnerKind): TestSummary {
  const events = readGoEvents(output);
  if (events !== undefined) {
    const text = plainText(events.text);
    const summary = readGo(text, text.split('\n')) ?? { failures: [], format: 'go' };
    // The events name every test with its package, even when packages' output interleaves.
    return events.tests.length > 0 ? { ...summary, tests: events.tests } : summary;
  }
  const text = plainText(output);
  const lines = text.split('\n');
  const preferred = hint === undefined ? [] : (BY_RUNNER[hint] ?? []);
  for (const reader of [...preferred, ...READERS.filter((entry) => !preferred.includes(entry))]) {
    const summary = reader(text, lines);
    if (summary !== undefined) return summary;
  }
  return { failures: [], format: undefined };
}

/** A line that starts a failure's section in some runner's report. */
const SECTION_HEAD = /^\s*(?:● |_{3,} |---- \S+ stdout|--- FAIL: |FAIL\s|\d+\) |not ok\b|<testcase\b)/;
/** Count lines worth keeping at the end of an excerpt. */
const COUNTS_LINE = /^(?:Tests:|Test Suites:)|^\s*(?:Test Files|Tests)\s{2,}\S|^test result:|^[ℹ#] (?:tests|pass|fail|cancelled) \d|^=+ .* in [\d.]+s|^\s*\d+ (?:passing|failing|pending)\b|^(?:FAIL|ok)\s+\S+\s+(?:[\d.]+s|\(cached\)|\[)/;
/** Where a section ends: the next count block or a runner's separator. */
const SECTION_END = /^(?:Tests:|Test Suites:|test result:|failures:$|ℹ tests |# tests |={3,}|\s*Test Files\s)|⎯{3,}|^\s*\d+ passing\b/;
/** A line that starts the next entry of a report: at the section's own indentation or less, it ends the section. */
const NEXT_ENTRY = /^\s*(?:● |_{3,} |---- \S+ stdout|--- (?:FAIL|PASS|SKIP): |=== RUN|(?:FAIL|PASS)(?:\s|$)|\d+\) |(?:not )?ok\b|# Subtest|<\/?testcase\b|<\/testsuite|[✔✖▶﹣✓✕×] |test at )/;
const MAX_SECTION_LINES = 60;

function score(lines: readonly string[], index: number): number {
  const line = lines[index] ?? '';
  if (SECTION_HEAD.test(line)) return 3;
  // mocha: `  1) Suite` then the nested title lines, the last ending with ':'.
  for (let back = 1; back <= 6 && index - back >= 0; back++) {
    const previous = lines[index - back] ?? '';
    if (previous.trim() === '') break;
    if (/^\s*\d+\) /.test(previous)) return 3;
  }
  if (/^\s*[✖×✕]\s/.test(line)) return 2;
  return /FAIL/.test(line) ? 1 : 0;
}

/** Whether `line` names `needle` as a whole: "case 1" is not in "case 10". */
function names(line: string, needle: string): boolean {
  for (let at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + 1)) {
    const before = line[at - 1] ?? ' ';
    const after = line[at + needle.length] ?? ' ';
    if (!(/\w/.test(before) && /^\w/.test(needle)) && !(/\w/.test(after) && /\w$/.test(needle))) return true;
  }
  return false;
}

interface Section {
  readonly failure: TestFailure;
  readonly start: number;
  /** The text that named the failure there; the section's own lines may repeat it. */
  readonly needle: string;
}

/** Where `failure`'s section starts: the best-scored line naming it (by its name, then shorter forms), the last of equals. */
function sectionStart(lines: readonly string[], failure: TestFailure): Section | undefined {
  const leaf = failure.name.split(/ › | > |::|\//).pop()?.trim() ?? failure.name;
  // Then shorter and shorter endings of the name: mocha spreads a title over several lines.
  const words = failure.name.split(' ');
  const endings = words.map((_, index) => words.slice(index + 1).join(' ')).filter((ending) => ending.length >= 8);
  let best: { index: number; score: number; needle: string } | undefined;
  for (const needle of [failure.name, leaf, ...endings]) {
    if (needle === '' || (best?.score ?? 0) >= 3) break;
    const fromThisNeedle = best;
    lines.forEach((line, index) => {
      if (!names(line, needle)) return;
      const value = score(lines, index);
      if (best === undefined || (best === fromThisNeedle ? value > best.score : value >= best.score)) best = { index, score: value, needle };
    });
  }
  if (best === undefined) return undefined;
  let start = best.index;
  // Back up to a mocha number line, node's `test at file:line`, or go's `=== RUN` (-v prints the log before the verdict).
  while (start > 0 && best.score === 3 && !SECTION_HEAD.test(lines[start] ?? '') && (lines[start - 1] ?? '').trim() !== '') start--;
  if (/^test at /.test(lines[start - 1] ?? '')) start--;
  const verdict = /^\s*--- FAIL: (\S+)/.exec(lines[start] ?? '');
  if (verdict !== null) {
    const run = lastIndexWhere(lines.slice(0, start), (line) => line.trim() === `=== RUN   ${verdict[1] ?? ''}`);
    if (run >= 0) start = run;
  }
  return { failure, start, needle: best.needle };
}

function sectionLines(lines: readonly string[], { failure, start, needle }: Section, next: number | undefined): string[] {
  const section: string[] = [lines[start] ?? ''];
  // A section may open with a `test at …` line or a mocha title spread over lines.
  let headIndent = indentOf(lines[start] ?? '');
  let foreignFrames = 0;
  for (let i = start + 1; i < (next ?? lines.length) && section.length < MAX_SECTION_LINES; i++) {
    const line = lines[i] ?? '';
    if (SECTION_END.test(line)) break;
    if (/^test at /.test(lines[start] ?? '') && i === start + 1) headIndent = indentOf(line);
    else if (line.trim() !== '' && indentOf(line) <= headIndent && NEXT_ENTRY.test(line) && !names(line, needle)) break;
    const frame = /^\s+(?:at .*?\(?|\S.*\()([^()\s]+?):\d+:\d+\)?\s*$/.exec(line);
    if (frame !== null && isForeignFrame(frame[1] ?? '')) {
      if (foreignFrames++ === 0) section.push(line.replace(/\S.*$/, '…'));
      continue;
    }
    section.push(line);
  }
  while (section.length > 1 && (section[section.length - 1] ?? '').trim() === '') section.pop();
  // The reader found the message elsewhere (a compile error above a go package's FAIL line): say it.
  const { file, line, message } = failure;
  if (message !== undefined && !section.some((entry) => entry.includes(message.split('\n')[0] ?? message))) {
    section.push(`${file === undefined ? '' : `${file}:${line ?? ''}: `}${message}`);
  }
  return section;
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 2))}\n…`;
}

function tailOf(text: string, maxChars: number): string {
  const trimmed = text.trimEnd();
  if (trimmed.length <= maxChars) return trimmed;
  const marker = '… (earlier output omitted)\n';
  const tail = trimmed.slice(trimmed.length - Math.max(0, maxChars - marker.length));
  const lineStart = tail.indexOf('\n');
  return marker + (lineStart >= 0 && lineStart < tail.length / 2 ? tail.slice(lineStart + 1) : tail);
}

/**
 * The part of a failing run's output that matters to fix it: each failing test's section (its
 * assertion message and project stack frames, without runner internals) and the count lines. Falls
 * back to the tail of the output when no failing test can be found in it.
 */
export function excerptFailure(output: string, summary: TestSummary, maxChars = 4000): string {
  const text = plainText(output);
  const lines = text.split('\n');
  const found = new Map<number, Section>();
  for (const failure of summary.failures) {
    const section = sectionStart(lines, failure);
    if (section !== undefined && !found.has(section.start)) found.set(section.start, section);
  }
  const starts = [...found.values()].sort((a, b) => a.start - b.start);
  if (starts.length === 0) return tailOf(text, maxChars);
  const counts = [...new Set(lines.filter((line) => COUNTS_LINE.test(line)).map((line) => line.trim()))].slice(-8).join('\n');
  const room = Math.max(0, maxChars - counts.length - 2);
  const each = Math.max(600, Math.floor(room / starts.length));
  const parts: string[] = [];
  let used = 0;
  for (const [position, section] of starts.entries()) {
    const remaining = room - used - 40; // keeps room to say what was left out
    const full = sectionLines(lines, section, starts[position + 1]?.start).join('\n');
    if (position > 0 && remaining < Math.min(full.length, 200)) {
      parts.push(`… ${starts.length - position} more failing tests`);
      break;
    }
    const part = clip(full, Math.min(each, Math.max(0, remaining)));
    parts.push(part);
    used += part.length + 2;
  }
  return clip([...parts, counts].filter((part) => part !== '').join('\n\n'), maxChars);
}
