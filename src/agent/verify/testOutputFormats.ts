// The test runners' output formats, one reader each, for parseTestOutput.ts. A reader answers
// undefined when the text is not its format; otherwise the counts it found (total 0 when the
// runner ran no test at all), the failing tests with where they failed, and every test the output
// names, so a verification can tell which tests of the baseline no longer run.

export interface TestFailure {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly message?: string;
}

export type TestStatus = 'passed' | 'failed' | 'skipped';

/** One test the output says ran (or was skipped), by name. */
export interface TestRecord {
  /** As the runner names it, qualified by its suites (`suite › test`) where the output nests them. */
  readonly name: string;
  /** Its file (a go package, a cargo target) where the output says. */
  readonly file?: string;
  readonly status: TestStatus;
  /** The verdict of a whole file whose tests the output does not name (jest without --verbose, a file node ran as one test). */
  readonly wholeFile?: true;
}

export interface TestSummary {
  passed?: number;
  failed?: number;
  skipped?: number;
  /** 0 when no test ran: never a pass. */
  total?: number;
  failures: TestFailure[];
  /** Every test the output names; absent when it names none (a runner that prints only counts). */
  tests?: TestRecord[];
  /** Which format was read: 'tap', 'node-spec', 'jest', 'vitest', 'mocha', 'pytest', 'cargo', 'go', 'junit'. */
  format: string | undefined;
}

export interface Counts {
  passed?: number | undefined;
  failed?: number | undefined;
  skipped?: number | undefined;
  total?: number | undefined;
}

export type FormatReader = (text: string, lines: readonly string[]) => TestSummary | undefined;

export function summary(format: string, counts: Counts, failures: TestFailure[], tests: readonly TestRecord[] = []): TestSummary {
  const result: TestSummary = { failures, format };
  if (tests.length > 0) result.tests = [...tests];
  const { passed, failed, skipped } = counts;
  if (passed !== undefined) result.passed = passed;
  if (failed !== undefined) result.failed = failed;
  if (skipped !== undefined) result.skipped = skipped;
  const total = counts.total ?? (passed !== undefined && failed !== undefined ? passed + failed + (skipped ?? 0) : undefined);
  if (total !== undefined) result.total = total;
  return result;
}

export function testRecord(name: string, status: TestStatus, file?: string): TestRecord {
  const trimmed = name.trim();
  return file === undefined || file === '' ? { name: trimmed, status } : { name: trimmed, file, status };
}

/** A file's verdict standing for its tests. */
export function fileRecord(file: string, status: TestStatus): TestRecord {
  return { name: file, file, status, wholeFile: true };
}

/** Node runs a test file that ends before its tests report (an error, or `process.exit`) as one test named by its path. */
const NODE_FILE_TEST = /^(?:\/|[A-Za-z]:[\\/]|file:\/\/).*\.[cm]?[jt]sx?$/;

function nodeRecord(suites: readonly string[], name: string, status: TestStatus): TestRecord {
  const trimmed = name.trim();
  if (suites.length === 0 && NODE_FILE_TEST.test(trimmed)) return fileRecord(trimmed.replace(/^file:\/\//, ''), status);
  return testRecord([...suites, trimmed].join(' › '), status);
}

export interface Location {
  readonly file: string;
  readonly line: number;
}

export function failure(name: string, location: Location | undefined, message: string | undefined): TestFailure {
  const result: { name: string; file?: string; line?: number; message?: string } = { name: name.trim() };
  if (location !== undefined) {
    result.file = location.file;
    result.line = location.line;
  }
  const clipped = message?.trim();
  if (clipped !== undefined && clipped !== '') result.message = clipped.length > 500 ? `${clipped.slice(0, 499)}…` : clipped;
  return result;
}

const PAREN_FRAME = /\(((?:file:\/\/)?[^()]+?):(\d+):\d+\)/;
const BARE_FRAME = /(?:\bat|❯|panicked at)\s+((?:file:\/\/)?[^\s()]+?):(\d+)(?::\d+)?(?=[\s:,)]|$)/;
const PYTHON_FRAME = /^\s*(\S+\.py):(\d+): /;
const GO_FRAME = /^\s+(\S+\.go):(\d+)(?::\d+)?[: ]/;

/** Frames in the runtime, the test runner or a dependency rather than in the project. */
export function isForeignFrame(file: string): boolean {
  return /^(node:|internal\/|native$)|node_modules|\/rustc\/|\/(?:usr\/local\/go|go)\/src\/(?:testing|runtime)\//.test(file) || file === '<anonymous>';
}

/** The first location in the project named by a stack frame, a `❯ file:line` or a `file:line:` line. */
export function locate(lines: readonly string[]): Location | undefined {
  for (const line of lines) {
    for (const pattern of [PAREN_FRAME, BARE_FRAME, PYTHON_FRAME, GO_FRAME]) {
      const match = pattern.exec(line);
      const file = match?.[1]?.replace(/^file:\/\//, '');
      if (file !== undefined && !isForeignFrame(file)) return { file, line: Number(match?.[2]) };
    }
  }
  return undefined;
}

/** The index of the last item `test` accepts, or -1 (Array#findLastIndex is ES2023). */
export function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}

export function lastWhere<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  return items[lastIndexWhere(items, test)];
}

export function indentOf(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

/** The lines from `start` up to the first that `stop` accepts. */
export function until(lines: readonly string[], start: number, stop: (line: string) => boolean, limit = 80): string[] {
  const block: string[] = [];
  for (let i = start; i < lines.length && block.length < limit && !stop(lines[i] ?? ''); i++) block.push(lines[i] ?? '');
  return block;
}

/** The lines after `start` indented more than it (blank lines included), up to `limit`. */
export function indentedBlock(lines: readonly string[], start: number, limit = 80): string[] {
  const base = indentOf(lines[start] ?? '');
  const block: string[] = [];
  for (let i = start + 1; i < lines.length && block.length < limit; i++) {
    const line = lines[i] ?? '';
    if (line.trim() !== '' && indentOf(line) <= base) break;
    block.push(line);
  }
  return block;
}

export function firstText(lines: readonly string[]): string | undefined {
  return lines.find((line) => line.trim() !== '')?.trim();
}

/** `N word` pairs in a summary line: "1 failed, 3 passed, 4 total" → { failed: 1, passed: 3, total: 4 }. */
export function countWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/(\d+) ([a-z]+)/g)) {
    const word = match[2] ?? '';
    counts.set(word, (counts.get(word) ?? 0) + Number(match[1]));
  }
  return counts;
}

/** Numbered `key N` lines (`# pass 3`, `ℹ pass 3`) after `prefix`. */
export function keyedCounts(lines: readonly string[], prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (!line.startsWith(prefix)) continue;
    const match = /^(\w+)\s+(\d+)\s*$/.exec(line.slice(prefix.length));
    if (match !== null) counts.set(match[1] ?? '', Number(match[2]));
  }
  return counts;
}

function decodeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function attributes(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    result.set(match[1] ?? '', decodeXml(match[2] ?? match[3] ?? ''));
  }
  return result;
}

/** The names of the `<testsuite>` elements open at each offset of a JUnit report, outermost first. */
function suitesAt(text: string): (offset: number) => string[] {
  const events = [...text.matchAll(/<testsuite\b([^>]*?)(\/?)>|<\/testsuite>/g)];
  return (offset) => {
    const open: string[] = [];
    for (const event of events) {
      if ((event.index ?? 0) >= offset) break;
      if (event[0].startsWith('</')) open.pop();
      else if (event[2] !== '/') open.push(attributes(event[1] ?? '').get('name') ?? '');
    }
    return open;
  };
}

/** JUnit XML: counts from the test cases themselves, so nested suites are not counted twice. */
export const readJunit: FormatReader = (text) => {
  if (!/^\s*(?:<\?xml\b[^>]*>\s*)?<testsuites?\b/m.test(text)) return undefined;
  const failures: TestFailure[] = [];
  const tests: TestRecord[] = [];
  const suites = suitesAt(text);
  let total = 0;
  let skipped = 0;
  for (const match of text.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    total++;
    const attrs = attributes(match[1] ?? '');
    const body = match[2] ?? '';
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    const file = attrs.get('file');
    const name = attrs.get('name') ?? '(unnamed)';
    // A class name says where the test is (pytest, jest-junit); node writes "test" for every one, so its describe blocks (nested suites) say it instead.
    const classname = attrs.get('classname');
    const qualifier = classname !== undefined && classname !== '' && classname !== 'test' ? [classname] : suites(match.index ?? 0).slice(/<testsuites\b/.test(text) ? 0 : 1);
    const status = problem !== null ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    tests.push(testRecord([...qualifier.filter((part) => part !== '' && part !== file), name].join(' › '), status, file));
    if (problem === null) {
      if (status === 'skipped') skipped++;
      continue;
    }
    const details = decodeXml(problem[3] ?? '').split('\n');
    const line = Number(attrs.get('line'));
    const location = file !== undefined && line > 0 ? { file, line } : locate(details);
    failures.push(failure(name, location, attributes(problem[2] ?? '').get('message') ?? firstText(details)));
  }
  if (total === 0) {
    const suite = attributes(/<testsuites?\b([^>]*)>/.exec(text)?.[1] ?? '');
    const count = (name: string): number => Number(suite.get(name) ?? 0) || 0;
    return summary('junit', { total: count('tests'), failed: count('failures') + count('errors'), skipped: count('skipped'), passed: count('tests') - count('failures') - count('errors') - count('skipped') }, failures);
  }
  return summary('junit', { total, failed: failures.length, skipped, passed: total - failures.length - skipped }, failures, tests);
};

/** A TAP YAML diagnostic block: its top-level keys, with `|-` block values joined. */
function yamlFields(block: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  const base = Math.min(...block.filter((line) => /^\s*\w+:/.test(line)).map(indentOf));
  for (let i = 0; i < block.length; i++) {
    const line = block[i] ?? '';
    const match = /^\s*(\w+):\s?(.*)$/.exec(line);
    if (match === null || indentOf(line) !== base) continue;
    let value = (match[2] ?? '').trim();
    if (/^[|>][-+]?$/.test(value)) {
      const body: string[] = [];
      while (i + 1 < block.length && (indentOf(block[i + 1] ?? '') > base || (block[i + 1] ?? '').trim() === '')) body.push((block[++i] ?? '').trim());
      value = body.join('\n');
    } else if (/^'.*'$/.test(value)) value = value.slice(1, -1).replace(/''/g, "'");
    fields.set(match[1] ?? '', value);
  }
  return fields;
}

/** TAP, including node --test's reporter: `# tests`/`# pass` comments, or the test lines themselves. */
export const readTap: FormatReader = (_text, lines) => {
  const hasVersion = lines.some((line) => /^TAP version \d+/.test(line));
  const hasPlan = lines.some((line) => /^\s*1\.\.\d+/.test(line));
  const keyed = keyedCounts(lines, '# ');
  if (!hasVersion && !keyed.has('tests') && !(hasPlan && lines.some((line) => /^\s*(?:not )?ok\b/.test(line)))) return undefined;
  const failures: TestFailure[] = [];
  const tests: TestRecord[] = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const topIndent = Math.min(...lines.filter((line) => /^\s*(?:not )?ok\b/.test(line)).map(indentOf));
  // node's `# Subtest: name` lines open a test; its result line closes it, after its subtests' (indented deeper).
  const open: { readonly indent: number; readonly name: string }[] = [];
  let previousIndent = -1;
  lines.forEach((line, index) => {
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (subtest !== null) {
      const indent = subtest[1]?.length ?? 0;
      while ((open.at(-1)?.indent ?? -1) >= indent) open.pop();
      open.push({ indent, name: (subtest[2] ?? '').trim() });
      return;
    }
    const match = /^(\s*)(not )?ok\b\s*\d*\s*(?:- )?(.*?)(?:\s+#\s*(SKIP|TODO)\b.*)?$/i.exec(line);
    if (match === null) return;
    const indent = indentOf(line);
    const hasSubtests = previousIndent > indent;
    previousIndent = indent;
    while ((open.at(-1)?.indent ?? -1) > indent) open.pop();
    if (open.at(-1)?.indent === indent) open.pop();
    const skipped = match[4] !== undefined;
    const status = skipped ? 'skipped' : match[2] === undefined ? 'passed' : 'failed';
    if (indent === topIndent) counts[status]++;
    const block = indentedBlock(lines, index);
    // A suite, or a test whose subtests were recorded themselves.
    const container = hasSubtests || block.some((entry) => /^\s*type: '?suite'?\s*$/.test(entry));
    if (!container) tests.push(nodeRecord(open.map((entry) => entry.name), match[3] ?? '', status));
    if (match[2] === undefined || skipped) return;
    const yaml = yamlFields(block.filter((entry) => !/^\s*(---|\.\.\.)\s*$/.test(entry)));
    if (yaml.get('failureType') === 'subtestsFailed') return;
    const where = /^(.*?):(\d+)(?::\d+)?$/.exec(yaml.get('location') ?? yaml.get('at') ?? '');
    const location = locate((yaml.get('stack') ?? '').split('\n')) ?? (where === null ? undefined : { file: where[1] ?? '', line: Number(where[2]) });
    const expected = yaml.has('expected') ? `expected ${yaml.get('expected') ?? ''}, actual ${yaml.get('actual') ?? ''}` : undefined;
    const message = yaml.get('error') ?? yaml.get('message') ?? expected;
    failures.push(failure(match[3] ?? '', location, message?.split('\n').filter((part) => part.trim() !== '').slice(0, 3).join('\n')));
  });
  if (keyed.has('tests') || keyed.has('pass')) {
    const skipped = (keyed.get('skipped') ?? keyed.get('skip') ?? 0) + (keyed.get('todo') ?? 0);
    const failed = (keyed.get('fail') ?? 0) + (keyed.get('cancelled') ?? 0);
    return summary('tap', { passed: keyed.get('pass') ?? 0, failed, skipped, total: keyed.get('tests') }, failures, tests);
  }
  return summary('tap', counts, failures, tests);
};

/** The tests node's spec reporter lists before its summary: `▶ suite` opens a suite, closed by its own ✔/✖ line. */
function nodeSpecRecords(lines: readonly string[]): TestRecord[] {
  const tests: TestRecord[] = [];
  const open: { readonly indent: number; readonly name: string }[] = [];
  for (const line of lines) {
    if (/^✖ failing tests:|^ℹ tests \d/.test(line)) break;
    const match = /^(\s*)([✔✖﹣▶]) (.*?)(?: \([\d.]+m?s\))?(?: # (.*))?$/.exec(line);
    if (match === null) continue;
    const indent = match[1]?.length ?? 0;
    const name = (match[3] ?? '').trim();
    // Older nodes close a suite with `▶ name (duration)`.
    const closes = /\([\d.]+m?s\)(?: # .*)?$/.test(line);
    if (match[2] === '▶' && !closes) {
      open.push({ indent, name });
      continue;
    }
    while ((open.at(-1)?.indent ?? -1) > indent) open.pop();
    const top = open.at(-1);
    if (top !== undefined && top.indent === indent && top.name === name) {
      open.pop();
      continue;
    }
    if (match[2] === '▶') continue;
    const note = match[4] ?? '';
    const status = match[2] === '﹣' || /^(?:TODO|SKIP)\b/.test(note) ? 'skipped' : match[2] === '✖' ? 'failed' : 'passed';
    tests.push(nodeRecord(open.filter((entry) => entry.indent < indent).map((entry) => entry.name), name, status));
  }
  return tests;
}

/** node --test's spec reporter: `ℹ tests 6` … and the `✖ failing tests:` section when there is one. */
export const readNodeSpec: FormatReader = (_text, lines) => {
  const keyed = keyedCounts(lines, 'ℹ ');
  if (!keyed.has('tests')) return undefined;
  const sectionStart = lines.findIndex((line) => /^✖ failing tests:/.test(line));
  const failures: TestFailure[] = [];
  for (let i = Math.max(0, sectionStart); i < lines.length; i++) {
    const match = /^\s*✖ (.*?)(?: \([\d.]+m?s\))?(?: # .*)?$/.exec(lines[i] ?? '');
    if (match === null || match[1] === 'failing tests:') continue;
    const block = indentedBlock(lines, i);
    if (firstText(block) === undefined) continue; // a suite: its failing tests are listed themselves
    const declared = /^test at (.+):(\d+):\d+$/.exec(lines[i - 1] ?? '');
    const location = locate(block) ?? (declared === null ? undefined : { file: declared[1] ?? '', line: Number(declared[2]) });
    failures.push(failure(match[1] ?? '', location, firstText(block)));
  }
  const failed = (keyed.get('fail') ?? 0) + (keyed.get('cancelled') ?? 0);
  const skipped = (keyed.get('skipped') ?? 0) + (keyed.get('todo') ?? 0);
  return summary('node-spec', { passed: keyed.get('pass') ?? 0, failed, skipped, total: keyed.get('tests') }, failures, nodeSpecRecords(lines));
};
