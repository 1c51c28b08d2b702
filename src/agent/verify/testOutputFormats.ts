// The test runners' output formats, one reader each, for parseTestOutput.ts. A reader answers
// undefined when the text is not its format; otherwise the counts it found (total 0 when the
// runner ran no test at all) and the failing tests with where they failed.

export interface TestFailure {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly message?: string;
}

export interface TestSummary {
  passed?: number;
  failed?: number;
  skipped?: number;
  /** 0 when no test ran: never a pass. */
  total?: number;
  failures: TestFailure[];
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

export function summary(format: string, counts: Counts, failures: TestFailure[]): TestSummary {
  const result: TestSummary = { failures, format };
  const { passed, failed, skipped } = counts;
  if (passed !== undefined) result.passed = passed;
  if (failed !== undefined) result.failed = failed;
  if (skipped !== undefined) result.skipped = skipped;
  const total = counts.total ?? (passed !== undefined && failed !== undefined ? passed + failed + (skipped ?? 0) : undefined);
  if (total !== undefined) result.total = total;
  return result;
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

/** JUnit XML: counts from the test cases themselves, so nested suites are not counted twice. */
export const readJunit: FormatReader = (text) => {
  if (!/^\s*(?:<\?xml\b[^>]*>\s*)?<testsuites?\b/m.test(text)) return undefined;
  const failures: TestFailure[] = [];
  let total = 0;
  let skipped = 0;
  for (const match of text.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    total++;
    const attrs = attributes(match[1] ?? '');
    const body = match[2] ?? '';
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (problem === null) {
      if (/<skipped\b/.test(body)) skipped++;
      continue;
    }
    const details = decodeXml(problem[3] ?? '').split('\n');
    const file = attrs.get('file');
    const line = Number(attrs.get('line'));
    const location = file !== undefined && line > 0 ? { file, line } : locate(details);
    failures.push(failure(attrs.get('name') ?? '(unnamed)', location, attributes(problem[2] ?? '').get('message') ?? firstText(details)));
  }
  if (total === 0) {
    const suite = attributes(/<testsuites?\b([^>]*)>/.exec(text)?.[1] ?? '');
    const count = (name: string): number => Number(suite.get(name) ?? 0) || 0;
    return summary('junit', { total: count('tests'), failed: count('failures') + count('errors'), skipped: count('skipped'), passed: count('tests') - count('failures') - count('errors') - count('skipped') }, failures);
  }
  return summary('junit', { total, failed: failures.length, skipped, passed: total - failures.length - skipped }, failures);
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
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const topIndent = Math.min(...lines.filter((line) => /^\s*(?:not )?ok\b/.test(line)).map(indentOf));
  lines.forEach((line, index) => {
    const match = /^(\s*)(not )?ok\b\s*\d*\s*(?:- )?(.*?)(?:\s+#\s*(SKIP|TODO)\b.*)?$/i.exec(line);
    if (match === null) return;
    const skipped = match[4] !== undefined;
    if (indentOf(line) === topIndent) counts[skipped ? 'skipped' : match[2] === undefined ? 'passed' : 'failed']++;
    if (match[2] === undefined || skipped) return;
    const yaml = yamlFields(indentedBlock(lines, index).filter((entry) => !/^\s*(---|\.\.\.)\s*$/.test(entry)));
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
    return summary('tap', { passed: keyed.get('pass') ?? 0, failed, skipped, total: keyed.get('tests') }, failures);
  }
  return summary('tap', counts, failures);
};

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
  return summary('node-spec', { passed: keyed.get('pass') ?? 0, failed, skipped, total: keyed.get('tests') }, failures);
};
