// Readers for jest, vitest, mocha, pytest and cargo output (see testOutputFormats.ts; go's are in testOutputGo.ts).
import { countWords, failure, fileRecord, firstText, indentOf, lastIndexWhere, lastWhere, locate, summary, testRecord, until, type FormatReader, type Location, type TestFailure, type TestRecord, type TestStatus } from './testOutputFormats';

/** jest: `Tests:  1 failed, 3 passed, 4 total` and `● Suite › test` sections. */
export const readJest: FormatReader = (text, lines) => {
  const testsLine = lastWhere(lines, (line) => /^Tests:\s+\d/.test(line));
  const noTests = /^No tests found, exiting with code \d/m.test(text);
  if (testsLine === undefined && !noTests) return undefined;
  const failures: TestFailure[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const match = /^\s*● (.+?)\s*$/.exec(line);
    if (match === null || match[1] === 'Console' || seen.has(match[1] ?? '')) return;
    seen.add(match[1] ?? '');
    const block = until(lines, index + 1, (next) => /^\s*● |^(?:PASS|FAIL) |^Test Suites:/.test(next));
    let name = match[1] ?? '';
    let file: string | undefined;
    if (name === 'Test suite failed to run') {
      file = lastWhere(lines.slice(0, index), (previous) => /^FAIL /.test(previous))?.slice(5).trim();
      name = file ?? name;
    }
    const location = locate(block) ?? (file === undefined ? undefined : { file, line: 1 });
    failures.push(failure(name, location, firstText(block)));
  });
  if (testsLine === undefined) return summary('jest', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures, jestRecords(lines));
  const counts = countWords(testsLine);
  const skipped = (counts.get('skipped') ?? 0) + (counts.get('todo') ?? 0) + (counts.get('pending') ?? 0);
  return summary('jest', { passed: counts.get('passed') ?? 0, failed: counts.get('failed') ?? 0, skipped, total: counts.get('total') }, failures, jestRecords(lines));
};

/** Suite titles by indentation, for runners that print a tree of suites and tests. */
class SuitePath {
  private readonly open: { readonly indent: number; readonly name: string }[] = [];
  /** The names of the suites `indent` is inside. */
  at(indent: number): string[] {
    while ((this.open.at(-1)?.indent ?? -1) >= indent) this.open.pop();
    return this.open.map((entry) => entry.name);
  }
  push(indent: number, name: string): void {
    this.at(indent);
    this.open.push({ indent, name });
  }
}

/** jest: `PASS file`/`FAIL file` for every file; with --verbose (or one file) its tests as a tree of ✓ ✕ ○ ✎ lines. */
function jestRecords(lines: readonly string[]): TestRecord[] {
  const tests: TestRecord[] = [];
  let file: string | undefined;
  let suites = new SuitePath();
  for (const line of lines) {
    const header = /^(PASS|FAIL) (\S+)/.exec(line);
    if (header !== null) {
      file = header[2] ?? '';
      suites = new SuitePath();
      tests.push(fileRecord(file, header[1] === 'PASS' ? 'passed' : 'failed'));
      continue;
    }
    if (file === undefined || line.trim() === '') continue;
    if (/^\s*● |^Test Suites:/.test(line)) {
      file = undefined;
      continue;
    }
    const indent = indentOf(line);
    if (indent === 0) continue;
    const entry = /^\s*([✓✕○✎√×]) (?:(skipped|todo) )?(.*?)(?: \(\d+(?:\.\d+)? m?s\))?$/.exec(line);
    if (entry === null) {
      suites.push(indent, line.trim());
      continue;
    }
    const status: TestStatus = entry[1] === '✕' || entry[1] === '×' ? 'failed' : entry[1] === '○' || entry[1] === '✎' ? 'skipped' : 'passed';
    tests.push(testRecord([...suites.at(indent), entry[3] ?? ''].join(' › '), status, file));
  }
  return tests;
}

/** vitest: `Tests  1 failed | 3 passed (4)` and ` FAIL  file > suite > test` sections. */
export const readVitest: FormatReader = (text, lines) => {
  const testsLine = lastWhere(lines, (line) => /^\s*Tests\s{2,}.*\(\d+\)\s*$/.test(line));
  const noFiles = /^No test files found, exiting with code \d/m.test(text);
  if (testsLine === undefined && !noFiles) return undefined;
  const failures: TestFailure[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const match = /^\s*FAIL\s+(\S+)(?:\s+>\s+(.+?)|\s+\[.*\])?\s*$/.exec(line);
    if (match === null) return;
    const name = match[2] ?? match[1] ?? '';
    if (seen.has(`${match[1] ?? ''} > ${name}`)) return;
    seen.add(`${match[1] ?? ''} > ${name}`);
    const block = until(lines, index + 1, (next) => /^\s*FAIL\s|⎯{3,}|^\s*Test Files\s/.test(next));
    const location = locate(block) ?? (match[1] === undefined ? undefined : { file: match[1], line: 1 });
    failures.push(failure(name, location, firstText(block)));
  });
  if (testsLine === undefined) return summary('vitest', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures, vitestRecords(lines));
  const counts = countWords(testsLine);
  const total = Number(/\((\d+)\)\s*$/.exec(testsLine)?.[1]);
  const skipped = (counts.get('skipped') ?? 0) + (counts.get('todo') ?? 0);
  return summary('vitest', { passed: counts.get('passed') ?? 0, failed: counts.get('failed') ?? 0, skipped, total }, failures, vitestRecords(lines));
};

const VITEST_STATUS: Readonly<Record<string, TestStatus>> = { '✓': 'passed', '√': 'passed', '×': 'failed', '✗': 'failed', '❯': 'failed', '↓': 'skipped' };

/**
 * vitest: a file's line (`✓ file (3 tests) 2ms`, `❯ file (4 tests | 1 failed)`), the tests under it
 * that the reporter lists (the failing ones; every one with --reporter=verbose), or verbose's flat
 * `✓ file > suite > test 1ms` lines.
 */
function vitestRecords(lines: readonly string[]): TestRecord[] {
  const tests: TestRecord[] = [];
  let file: { readonly path: string; readonly indent: number } | undefined;
  for (const line of lines) {
    if (/⎯{3,}|^\s*Test Files\s/.test(line)) break;
    const match = /^(\s*)([✓√×✗❯↓]) (.+?)(?: \[[^\]]*\])?(?: \d+(?:\.\d+)?m?s)?\s*$/.exec(line);
    if (match === null) continue;
    const indent = match[1]?.length ?? 0;
    const status = VITEST_STATUS[match[2] ?? ''] ?? 'failed';
    const text = match[3] ?? '';
    const header = /^(\S+\.\w+) \(\d+ tests?(?: \|[^)]*)?\)$/.exec(text);
    if (header !== null) {
      file = { path: header[1] ?? '', indent };
      tests.push(fileRecord(file.path, status));
      continue;
    }
    const flat = /^(\S+\.\w+) > (.+)$/.exec(text);
    if (flat !== null) tests.push(testRecord(flat[2] ?? '', status, flat[1]));
    else if (file !== undefined && indent > file.indent) tests.push(testRecord(text, status, file.path));
  }
  return tests;
}

/** mocha's spec reporter: `3 passing`, `1 failing`, then numbered `1) suite test:` sections. */
export const readMocha: FormatReader = (_text, lines) => {
  const count = (word: string): number | undefined => {
    const line = lines.find((entry) => new RegExp(`^\\s*\\d+ ${word}\\b`).test(entry));
    return line === undefined ? undefined : Number(/\d+/.exec(line)?.[0]);
  };
  const passing = count('passing');
  if (passing === undefined) return undefined;
  const failing = count('failing') ?? 0;
  const pending = count('pending') ?? 0;
  const failures: TestFailure[] = [];
  const after = lines.findIndex((line) => /^\s*\d+ failing\b/.test(line));
  for (let i = after < 0 ? lines.length : after + 1; i < lines.length; i++) {
    const head = /^(\s*)\d+\) (.*)$/.exec(lines[i] ?? '');
    if (head === null) continue;
    const title = [head[2] ?? ''];
    while (!(title[title.length - 1] ?? '').endsWith(':') && i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '' && title.length < 8) {
      title.push((lines[++i] ?? '').trim());
    }
    const block = until(lines, i + 1, (next) => new RegExp(`^${head[1] ?? ''}\\d+\\) `).test(next));
    failures.push(failure(title.join(' ').replace(/:$/, ''), locate(block), firstText(block)));
  }
  return summary('mocha', { passed: passing, failed: failing, skipped: pending, total: passing + failing + pending }, failures, mochaRecords(lines));
};

/** mocha's spec reporter: suite titles, then `✔ test`, `1) test` (failed) and `- test` (pending) indented under them. */
function mochaRecords(lines: readonly string[]): TestRecord[] {
  const tests: TestRecord[] = [];
  const suites = new SuitePath();
  for (const line of lines) {
    if (/^\s*\d+ passing\b/.test(line)) break;
    const indent = indentOf(line);
    // Output of the tests themselves is mostly flush left; mocha indents its report.
    if (line.trim() === '' || indent < 2) continue;
    const entry = /^\s*(?:([✔✓]) |(\d+)\) |- )(.*?)(?: \(\d+ms\))?$/.exec(line);
    if (entry === null) {
      suites.push(indent, line.trim());
      continue;
    }
    const status: TestStatus = entry[1] !== undefined ? 'passed' : entry[2] !== undefined ? 'failed' : 'skipped';
    tests.push(testRecord([...suites.at(indent), entry[3] ?? ''].join(' › '), status));
  }
  return tests;
}

const PYTEST_WORDS = /^(?:\d+ (?:failed|passed|skipped|xfailed|xpassed|errors?|deselected|warnings?|rerun)(?:, |$))+$/;

/** pytest: the `=== 1 failed, 3 passed in 0.12s ===` line, `FAILED path::test - message` lines and `___ test ___` sections. */
export const readPytest: FormatReader = (_text, lines) => {
  let totals: string | undefined;
  for (const line of lines) {
    const match = /^(?:=+ )?(.+?) in \d+(?:\.\d+)?s(?: \([^)]*\))?(?: =+)?$/.exec(line);
    if (match !== null && (PYTEST_WORDS.test(match[1] ?? '') || match[1] === 'no tests ran')) totals = match[1];
  }
  if (totals === undefined) return undefined;
  const sections = new Map<string, string[]>();
  lines.forEach((line, index) => {
    const header = /^_{3,} (.+?) _{3,}$/.exec(line);
    if (header !== null) sections.set(header[1] ?? '', until(lines, index + 1, (next) => /^_{3,} .+ _{3,}$|^={3,}/.test(next)));
  });
  const sectionLocation = (section: readonly string[], file: string): Location | undefined => {
    const frames = section.map((line) => /^(\S+\.py):(\d+): /.exec(line)).filter((match) => match !== null);
    const frame = lastWhere(frames, (match) => match[1] === file) ?? frames[frames.length - 1];
    return frame === undefined ? undefined : { file: frame[1] ?? '', line: Number(frame[2]) };
  };
  const failures: TestFailure[] = [];
  for (const line of lines) {
    const match = /^(FAILED|ERROR) (\S+?)(?: - (.*))?$/.exec(line);
    if (match === null) continue;
    const [file = '', ...rest] = (match[2] ?? '').split('::');
    const name = rest.length > 0 ? rest.join('::') : file;
    const section = sections.get(rest.length > 0 ? rest.join('.') : `ERROR collecting ${file}`) ?? [];
    const message = match[3] ?? section.find((entry) => /^E\s+/.test(entry))?.replace(/^E\s+/, '');
    failures.push(failure(name, sectionLocation(section, file) ?? (file.endsWith('.py') ? { file, line: 1 } : undefined), message));
  }
  if (failures.length === 0) {
    for (const [title, section] of sections) failures.push(failure(title, sectionLocation(section, ''), section.find((entry) => /^E\s+/.test(entry))?.replace(/^E\s+/, '')));
  }
  const counts = countWords(totals);
  const get = (word: string): number => counts.get(word) ?? 0;
  const passed = get('passed') + get('xpassed');
  const failed = get('failed') + get('error') + get('errors');
  const skipped = get('skipped') + get('xfailed');
  return summary('pytest', { passed, failed, skipped, total: passed + failed + skipped }, failures, pytestRecords(lines));
};

const PYTEST_OUTCOMES: Readonly<Record<string, TestStatus>> = { PASSED: 'passed', XPASS: 'passed', FAILED: 'failed', ERROR: 'failed', SKIPPED: 'skipped', XFAIL: 'skipped' };
const STATUS_RANK: Readonly<Record<TestStatus, number>> = { skipped: 0, passed: 1, failed: 2 };

/** pytest's `-v` lines (`path::test PASSED [ 50%]`) and `-rA` summary lines (`PASSED path::test`); a test reported twice keeps its worst outcome (an error in teardown after a pass). */
function pytestRecords(lines: readonly string[]): TestRecord[] {
  const byId = new Map<string, TestRecord>();
  for (const line of lines) {
    const verbose = /^(\S+?\.py)::(.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/.exec(line);
    const short = verbose === null ? /^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+?\.py)::(.+?)(?: - .*)?$/.exec(line) : null;
    const [file, name, outcome] = verbose !== null ? [verbose[1], verbose[2], verbose[3]] : short !== null ? [short[2], short[3], short[1]] : [];
    const status = PYTEST_OUTCOMES[outcome ?? ''];
    if (file === undefined || name === undefined || status === undefined) continue;
    const id = `${file}::${name}`;
    const known = byId.get(id);
    if (known === undefined || STATUS_RANK[status] > STATUS_RANK[known.status]) byId.set(id, testRecord(name, status, file));
  }
  return [...byId.values()];
}

/** cargo test: every `test result:` line summed (one per test binary), `---- name stdout ----` sections, compile errors. */
export const readCargo: FormatReader = (text, lines) => {
  const results = lines.map((line) => /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(line)).filter((match) => match !== null);
  const compileFailed = /^error: could not compile /m.test(text);
  if (results.length === 0 && !compileFailed) return undefined;
  const failures: TestFailure[] = [];
  lines.forEach((line, index) => {
    const section = /^---- (\S+) stdout ----$/.exec(line);
    if (section !== null) {
      const block = until(lines, index + 1, (next) => /^---- \S+ stdout ----$|^failures:$/.test(next));
      const panic = block.findIndex((entry) => /panicked at /.test(entry));
      const panicLine = block[panic] ?? '';
      const old = /panicked at '(.*)', (\S+?):(\d+):\d+/.exec(panicLine);
      const current = /panicked at (\S+?):(\d+):\d+:?$/.exec(panicLine);
      const message = old?.[1] ?? until(block, panic + 1, (next) => next.trim() === '' || /^note: /.test(next), 4).join('\n');
      const location = old !== null ? { file: old[2] ?? '', line: Number(old[3]) } : current !== null ? { file: current[1] ?? '', line: Number(current[2]) } : undefined;
      failures.push(failure(section[1] ?? '', location, panic < 0 ? firstText(block) : message));
    }
    const error = /^error(?:\[E\d+\])?: (.+)$/.exec(line);
    const at = /^\s*--> (.+?):(\d+):\d+/.exec(lines[index + 1] ?? '');
    if (error !== null && at !== null) failures.push(failure('compile error', { file: at[1] ?? '', line: Number(at[2]) }, error[1]));
  });
  const listed = lastIndexWhere(lines, (line) => line === 'failures:');
  for (const line of listed < 0 ? [] : until(lines, listed + 1, (next) => next.trim() === '', 200)) {
    const name = /^ {4}(\S+)$/.exec(line)?.[1];
    if (name === undefined) break;
    if (!failures.some((entry) => entry.name === name)) failures.push(failure(name, undefined, undefined));
  }
  const sum = (group: number): number => results.reduce((total, match) => total + Number(match[group]), 0);
  if (results.length === 0) return summary('cargo', {}, failures, cargoRecords(lines));
  return summary('cargo', { passed: sum(1), failed: sum(2), skipped: sum(3) }, failures, cargoRecords(lines));
};

/** cargo's `test path::name ... ok` lines, in the target named by the `Running` line above them. */
function cargoRecords(lines: readonly string[]): TestRecord[] {
  const tests: TestRecord[] = [];
  let target: string | undefined;
  for (const line of lines) {
    const running = /^\s*Running (?:unittests )?(\S+)/.exec(line);
    if (running !== null) target = running[1];
    if (/^\s*Doc-tests /.test(line)) target = undefined; // a doc test's name carries its file
    const entry = /^test (.+?) \.\.\. (ok|FAILED|ignored)\b/.exec(line);
    if (entry === null) continue;
    tests.push(testRecord(entry[1] ?? '', entry[2] === 'ok' ? 'passed' : entry[2] === 'FAILED' ? 'failed' : 'skipped', target));
  }
  return tests;
}
