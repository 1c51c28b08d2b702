// Readers for jest, vitest, mocha, pytest, cargo and go output (see testOutputFormats.ts).
import { countWords, failure, firstText, indentOf, lastIndexWhere, lastWhere, locate, summary, type FormatReader, type Location, type TestFailure } from './testOutputFormats';

/** The lines from `start` up to the first that `stop` accepts. */
function until(lines: readonly string[], start: number, stop: (line: string) => boolean, limit = 80): string[] {
  const block: string[] = [];
  for (let i = start; i < lines.length && block.length < limit && !stop(lines[i] ?? ''); i++) block.push(lines[i] ?? '');
  return block;
}

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
  if (testsLine === undefined) return summary('jest', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures);
  const counts = countWords(testsLine);
  const skipped = (counts.get('skipped') ?? 0) + (counts.get('todo') ?? 0) + (counts.get('pending') ?? 0);
  return summary('jest', { passed: counts.get('passed') ?? 0, failed: counts.get('failed') ?? 0, skipped, total: counts.get('total') }, failures);
};

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
  if (testsLine === undefined) return summary('vitest', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures);
  const counts = countWords(testsLine);
  const total = Number(/\((\d+)\)\s*$/.exec(testsLine)?.[1]);
  const skipped = (counts.get('skipped') ?? 0) + (counts.get('todo') ?? 0);
  return summary('vitest', { passed: counts.get('passed') ?? 0, failed: counts.get('failed') ?? 0, skipped, total }, failures);
};

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
  return summary('mocha', { passed: passing, failed: failing, skipped: pending, total: passing + failing + pending }, failures);
};

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
  return summary('pytest', { passed, failed, skipped, total: passed + failed + skipped }, failures);
};

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
  if (results.length === 0) return summary('cargo', {}, failures);
  return summary('cargo', { passed: sum(1), failed: sum(2), skipped: sum(3) }, failures);
};

/** go test: `--- FAIL: TestName` (leaf tests only), package `ok`/`FAIL`/`?` lines; counts passes only with -v. */
export const readGo: FormatReader = (_text, lines) => {
  const packages = lines.map((line) => /^(ok|FAIL|\?)\s+(\S+)\s+(.*)$/.exec(line)).filter((match) => match !== null);
  const results = lines
    .map((line, index) => ({ index, match: /^(\s*)--- (FAIL|PASS|SKIP): (\S+) \(/.exec(line) }))
    .filter((entry): entry is { index: number; match: RegExpExecArray } => entry.match !== null);
  if (packages.length === 0 && results.length === 0) return undefined;
  const names = results.map((entry) => entry.match[3] ?? '');
  const leaves = results.filter((entry) => !names.some((name) => name.startsWith(`${entry.match[3] ?? ''}/`)));
  const failures: TestFailure[] = [];
  for (const { index, match } of leaves.filter((entry) => entry.match[2] === 'FAIL')) {
    const name = match[3] ?? '';
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
  const count = (status: string): number => leaves.filter((entry) => entry.match[2] === status).length;
  const ranNothing = packages.length > 0 && packages.every((entry) => entry[1] !== 'FAIL' && /\[no test files\]|\[no tests to run\]/.test(entry[3] ?? ''));
  if (ranNothing && results.length === 0) return summary('go', { passed: 0, failed: 0, skipped: 0, total: 0 }, failures);
  const verbose = lines.some((line) => line.startsWith('=== RUN'));
  if (verbose) return summary('go', { passed: count('PASS'), failed: failures.length, skipped: count('SKIP') }, failures);
  return summary('go', { failed: failures.length }, failures);
};
