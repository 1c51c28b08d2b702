// go test's output: the human form (`--- FAIL: TestName`, package `ok`/`FAIL` lines) and the event
// stream of `go test -json`, which the harness asks for when it chose the command itself: its
// events name every test with its package, and their `Output` fields are the `-v` text, which is
// what the model reads.
import { failure, indentOf, lastIndexWhere, summary, testRecord, until, type FormatReader, type TestFailure, type TestRecord, type TestStatus } from './testOutputFormats';

const GO_STATUS: Readonly<Record<string, TestStatus>> = { PASS: 'passed', pass: 'passed', FAIL: 'failed', fail: 'failed', SKIP: 'skipped', skip: 'skipped' };

/** Tests without subtests: a parent's verdict only sums its subtests'. */
function leaves<T extends { readonly name: string }>(entries: readonly T[]): T[] {
  const names = entries.map((entry) => entry.name);
  return entries.filter((entry) => !names.some((name) => name.startsWith(`${entry.name}/`)));
}

/** go test: `--- FAIL: TestName` (leaf tests only), package `ok`/`FAIL`/`?` lines; counts passes only with -v. */
export const readGo: FormatReader = (_text, lines) => {
  const packages = lines.map((line) => /^(ok|FAIL|\?)\s+(\S+)\s+(.*)$/.exec(line)).filter((match) => match !== null);
  const results = lines
    .map((line, index) => ({ index, match: /^(\s*)--- (FAIL|PASS|SKIP): (\S+) \(/.exec(line) }))
    .filter((entry): entry is { index: number; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({ ...entry, name: entry.match[3] ?? '' }));
  if (packages.length === 0 && results.length === 0) return undefined;
  const leafResults = leaves(results);
  const failures: TestFailure[] = [];
  for (const { index, name } of leafResults.filter((entry) => entry.match[2] === 'FAIL')) {
    let block = until(lines, index + 1, (next) => next.trim() !== '' && indentOf(next) <= indentOf(lines[index] ?? '') && !/^panic: |^goroutine |^\S+\(|^\t/.test(next));
    if (!block.some((line) => /\.go:\d+/.test(line))) {
      const run = lastIndexWhere(lines.slice(0, index), (line) => line.trim() === `=== RUN   ${name}`);
      if (run >= 0) block = lines.slice(run + 1, index);
    }
    const log = block.map((line) => /^\s+(\S+\.go):(\d+): (.*)$/.exec(line)).find((entry) => entry !== null);
    const panic = block.find((line) => line.startsWith('panic: '));
    const frame = block.map((line) => /^\s+(\S+_test\.go):(\d+)/.exec(line)).find((entry) => entry !== null);
    const location = log !== undefined ? { file: log[1] ?? '', line: Number(log[2]) } : frame !== undefined ? { file: frame[1] ?? '', line: Number(frame[2]) } : undefined;
    failures.push(failure(name, location, log?.[3] ?? panic));
  }
  for (const pkg of packages.filter((entry) => entry[1] === 'FAIL' && /\[(build|setup) failed\]/.test(entry[3] ?? ''))) {
    const error = lines.map((line) => /^(\S+\.go):(\d+):\d+: (.*)$/.exec(line)).find((entry) => entry !== null);
    failures.push(failure(pkg[2] ?? '', error === undefined ? undefined : { file: error[1] ?? '', line: Number(error[2]) }, error?.[3] ?? pkg[3]));
  }
  // With -v a package's line follows its tests: it names their package.
  const packageAfter = (index: number): string | undefined => lines.slice(index).map((line) => /^(?:ok|FAIL)\s+(\S+)\s/.exec(line)?.[1]).find((name) => name !== undefined);
  const tests = leafResults.map((entry) => testRecord(entry.name, GO_STATUS[entry.match[2] ?? ''] ?? 'failed', packageAfter(entry.index)));
  const count = (status: string): number => leafResults.filter((entry) => entry.match[2] === status).length;
  const ranNothing = packages.length > 0 && packages.every((entry) => entry[1] !== 'FAIL' && /\[no test files\]|\[no tests to run\]/.test(entry[3] ?? ''));
  if (ranNothing && results.length === 0) return summary('go', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures);
  const verbose = lines.some((line) => line.startsWith('=== RUN'));
  if (verbose) return summary('go', { passed: count('PASS'), failed: failures.length, skipped: count('SKIP') }, failures, tests);
  return summary('go', { failed: failures.length }, failures, tests);
};

export interface GoEvents {
  /** The text `go test -v` would have printed (the events' output, and any line that is not an event). */
  readonly text: string;
  /** Every leaf test with its package. */
  readonly tests: TestRecord[];
}

interface GoEvent {
  readonly Action?: unknown;
  readonly Package?: unknown;
  readonly ImportPath?: unknown;
  readonly Test?: unknown;
  readonly Output?: unknown;
}

function goEvent(line: string): GoEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const event = parsed as GoEvent;
    return typeof event.Action === 'string' && (typeof event.Package === 'string' || typeof event.ImportPath === 'string') ? event : undefined;
  } catch {
    return undefined;
  }
}

/** `go test -json` output read back into its text and its tests; undefined when the output is not that stream. */
export function readGoEvents(output: string): GoEvents | undefined {
  if (!/^\{"(?:Time|Action|ImportPath)"/m.test(output)) return undefined;
  let events = 0;
  const text: string[] = [];
  const results: { name: string; status: TestStatus; pkg: string }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const event = goEvent(line);
    if (event === undefined) {
      if (line !== '') text.push(`${line}\n`);
      continue;
    }
    events++;
    if ((event.Action === 'output' || event.Action === 'build-output') && typeof event.Output === 'string') text.push(event.Output);
    const status = GO_STATUS[String(event.Action)];
    if (status !== undefined && typeof event.Test === 'string') results.push({ name: event.Test, status, pkg: typeof event.Package === 'string' ? event.Package : '' });
  }
  if (events === 0) return undefined;
  const tests: TestRecord[] = [];
  for (const pkg of new Set(results.map((result) => result.pkg))) {
    for (const result of leaves(results.filter((entry) => entry.pkg === pkg))) tests.push(testRecord(result.name, result.status, pkg));
  }
  return { text: text.join(''), tests };
}
