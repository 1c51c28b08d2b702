// When the harness chose the test command itself (detected from the project, or narrowed from a
// detected one) and it is one direct invocation of a runner, it asks the runner for a report that
// names every test, so a verification can be compared with the baseline test by test. The user's
// own command (plumbline.testCommand, --test-cmd) is never rewritten.
//
// Reports go to standard output, in a form the model can still read, rather than to a file beside
// it: a report file would be written where the tests themselves can write (the isolated copy or its
// temp folder), so the code under test could overwrite it; the runner's own output is at least
// written by the runner's process.
import type { RunnerKind } from './detectTestCommand';

/** Shell syntax that makes a command more than one plain invocation. */
const COMPOUND = /[&|;<>`$()\n]/;

function hasFlag(command: string, flag: RegExp): boolean {
  return command.split(/\s+/).some((word) => flag.test(word));
}

/**
 * `command` with the flags that make `runner` name every test it runs, or `command` unchanged when
 * it is not a plain invocation of that runner or already chooses a reporter:
 * - node: `--test-reporter=tap`. TAP names each test with its suites, and a test file's own output
 *   arrives as `#` comments, so a test cannot print a result line (the spec reporter passes it through).
 * - vitest: `--reporter=verbose`; jest: `--verbose`; mocha: `--reporter spec` (a config may pick dot).
 * - pytest: `-rfEpxX`, a summary line per test (`PASSED path::name`) whatever the verbosity in addopts.
 * - go: `-json`, whose events name every test with its package; their output is the `-v` text.
 * - cargo names every test by default.
 */
export function withNamingReporter(runner: RunnerKind, command: string): string {
  if (COMPOUND.test(command)) return command;
  const words = command.trim().split(/\s+/);
  const runs = (binary: string): boolean => words[0] === binary || (['npx', 'bunx', 'yarn'].includes(words[0] ?? '') && words[1] === binary) || (words[0] === 'pnpm' && words[1] === 'exec' && words[2] === binary);
  switch (runner) {
    case 'node-test':
      if (words[0] !== 'node' || !words.includes('--test') || hasFlag(command, /^--test-reporter/)) return command;
      return `node --test-reporter=tap ${words.slice(1).join(' ')}`;
    case 'vitest':
      return runs('vitest') && !hasFlag(command, /^--reporter/) ? `${command} --reporter=verbose` : command;
    case 'jest':
      return runs('jest') && !hasFlag(command, /^--(?:verbose|reporters|silent|json)\b/) ? `${command} --verbose` : command;
    case 'mocha':
      return runs('mocha') && !hasFlag(command, /^(?:--reporter|-R)\b/) ? `${command} --reporter spec` : command;
    case 'pytest':
      return /(?:^|\s)-m pytest\b|^pytest\b/.test(command) && !hasFlag(command, /^-r\w*$/) ? `${command} -rfEpxX` : command;
    case 'go':
      return words[0] === 'go' && words[1] === 'test' && !words.includes('-json') ? `go test -json ${words.slice(2).join(' ')}`.trimEnd() : command;
    case 'cargo':
    case 'npm':
    case 'make':
    case 'unknown':
      return command;
  }
}
