import { decodeFile } from '../edits/fileCodec';
import { addedLines } from '../edits/unifiedDiff';
import { isTestFilePath } from './testFileNames';
import { ALWAYS_PASSING, assertionsDropped } from './weakenedTests';

/**
 * Code that can steer its own test results. A model-written change runs inside its test run: in
 * mocha, jest's in-band mode or pytest it shares the runner's process, and anywhere it can reach the
 * runner's output through /proc. Such a change can make a broken step look green (replace an
 * assertion, print a runner's "✔" lines and exit, kill the runner mid-report), and no reading of
 * the output can tell. So a step whose added lines do any of that does not count as verified by
 * its green run: its verdict is `unverified`, and its file needs the user's explicit decision,
 * whatever the approval mode (see SECURITY.md). The list is of things ordinary library code does
 * not add in a refactor; it is a tripwire for the obvious forms, not a proof against every form.
 */

export interface SteeringFinding {
  readonly path: string;
  /** 1-based line in the new text. */
  readonly line: number;
  /** What the line does, in words: `calls process.exit`. */
  readonly what: string;
}

interface Rule {
  readonly pattern: RegExp;
  readonly what: string;
}

/** Assertion and matcher names a forger would replace to make every check pass. */
const ASSERTION_NAMES =
  'ok|equal|strictEqual|deepEqual|deepStrictEqual|notEqual|notStrictEqual|notDeepEqual|notDeepStrictEqual|throws|rejects|doesNotThrow|doesNotReject|match|doesNotMatch|fail|ifError|' +
  'toBe|toEqual|toStrictEqual|toMatch|toMatchObject|toThrow|toContain|toHaveBeenCalled\\w*|toBeTruthy|toBeFalsy|assert\\w*|expect';

const rules: readonly Rule[] = [
  // Ending or signalling a process mid-run: the runner stops before it reports what failed.
  { pattern: /\bprocess\s*(?:\.\s*|\[\s*['"`])(?:exit|reallyExit|abort|kill)\b(?:['"`]\s*\])?\s*\(/, what: 'ends or signals a process (process.exit/kill/abort)' },
  { pattern: /\bprocess\s*\.\s*exitCode\s*=(?!=)/, what: 'sets the process exit code' },
  { pattern: /\bos\s*\.\s*_exit\s*\(|\bos\s*\.\s*kill\s*\(/, what: 'ends or signals a process (os._exit/os.kill)' },
  // Reaching the runner's own output or another process.
  { pattern: /\/proc\/|\/dev\/(?:tty|fd\/|stdout|stderr)\b/, what: "reaches another process's files or the terminal (/proc, /dev/tty)" },
  // Replacing what the tests check with, or the runner's functions.
  // On an assertion module or matcher (`assert.equal =`, `expect.prototype.toBe =`, `require('node:assert').ok =`), not on any object with an `ok`.
  {
    pattern: new RegExp(`(?:\\b(?:assert\\w*|expect|chai|should)|\\brequire\\s*\\(\\s*['"\`](?:node:)?assert(?:/strict)?['"\`]\\s*\\))(?:\\s*\\.\\s*\\w+)*?\\s*\\.\\s*(?:${ASSERTION_NAMES})\\s*=(?![=>])`),
    what: 'replaces an assertion function',
  },
  { pattern: /\b(?:global|globalThis|window|self)\s*\.\s*(?:it|test|describe|expect|assert|suite|before|after|beforeEach|afterEach)\s*=(?!=)/, what: "replaces a test runner's global" },
  { pattern: /\b(?:it|test|describe)\s*\.\s*(?:skip|only|each)\s*=(?!=)/, what: "replaces a test runner's function" },
  { pattern: /\bObject\s*\.\s*(?:defineProperty|assign|setPrototypeOf)\s*\(\s*(?:assert|expect|chai|require\s*\(\s*['"`](?:node:)?assert)/, what: 'rewrites the assertion module' },
  { pattern: /\bprocess\s*\.\s*(?:stdout|stderr)\s*\.\s*write\s*=(?!=)|\bconsole\s*\.\s*(?:log|error|info)\s*=(?!=)|\bsys\s*\.\s*(?:stdout|stderr)\s*=(?!=)/, what: "replaces the process's output" },
  { pattern: /\b(?:unittest\s*\.\s*TestCase|TestCase)\s*\.\s*\w+\s*=(?!=)|\bbuiltins\s*\.\s*\w+\s*=(?!=)|\bpytest\s*\.\s*\w+\s*=(?!=)/, what: 'replaces a test framework function' },
  // Changing how modules load, so what the tests import is not what they name.
  { pattern: /\brequire\s*\.\s*cache\b|\bModule\s*\.\s*_(?:load|resolveFilename|compile|extensions)\b|\bModule\s*\.\s*prototype\s*\.\s*(?:require|_compile)\b|\bprocess\s*\.\s*(?:binding|dlopen)\s*\(/, what: 'changes how modules load' },
  { pattern: /\bsys\s*\.\s*modules\s*\[[^\]]*\]\s*=(?!=)|\bimportlib\s*\.\s*reload\b/, what: 'changes how modules load' },
  // Knowing it runs under a test runner, so it can behave differently there.
  { pattern: /\b(?:NODE_TEST_CONTEXT|JEST_WORKER_ID|VITEST(?:_\w+)?|PYTEST_CURRENT_TEST|MOCHA_\w+|npm_lifecycle_event)\b/, what: 'detects that it runs under a test runner' },
  // A runner's own words in a string: output that imitates a result.
  {
    pattern: /['"`][^'"`]*(?:[✔✓√]|\bok \d+ - |# (?:pass|fail|tests) \d|\b\d+ passing\b|\b\d+ failing\b|\bTests?:\s+\d+ passed|\bPASSED\b|\b\d+ passed\b)/,
    what: "prints a test runner's result words",
  },
  // Code built at run time, which no reading of the diff can check.
  { pattern: /\beval\s*\(|\bnew\s+Function\s*\(|\bvm\s*\.\s*(?:runIn\w+|compileFunction|Script)\b|\b(?:exec|compile)\s*\(\s*(?:base64|codecs|bytes)/, what: 'runs code built at run time (eval, Function, vm)' },
  { pattern: /(?:require\s*\(|from\s+|import\s*\()\s*['"`](?:node:)?child_process['"`]|\bimport\s+subprocess\b|\bfrom\s+subprocess\b/, what: 'starts processes (child_process, subprocess)' },
  // Asking less of a test that still runs by its name (weakenedTests.ts).
  ...ALWAYS_PASSING.map((pattern) => ({ pattern, what: 'adds an assertion that cannot fail (the same value on both sides, or a constant truth)' })),
];

/** Files that hold no code a test run executes: prose, data and images. */
const INERT = /\.(?:md|markdown|mdx|rst|txt|adoc|json|jsonc|ya?ml|toml|csv|tsv|lock|svg|png|jpe?g|gif|webp|ico|snap)$/i;

function textOf(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return '';
  const decoded = decodeFile(bytes);
  return decoded.kind === 'text' ? decoded.text : undefined;
}


/** Assertion modules, by the names they are required or imported under. */
const ASSERTION_MODULES = `(?:node:)?assert(?:/strict)?|chai|expect|should|power-assert|uvu/assert`;

/**
 * The names a file gives an assertion module (`const a = require('node:assert')`, `import * as a
 * from 'assert'`), so replacing `a.equal` is seen like replacing `assert.equal`.
 */
function aliasRules(text: string): Rule[] {
  const binding = new RegExp(
    `(?:\\b(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*require\\s*\\(\\s*['"\`](?:${ASSERTION_MODULES})['"\`]\\s*\\)|\\bimport\\s+(?:\\*\\s+as\\s+)?([A-Za-z_$][\\w$]*)\\s+from\\s+['"\`](?:${ASSERTION_MODULES})['"\`])`,
    'g',
  );
  const names = new Set<string>();
  for (const match of text.matchAll(binding)) names.add(match[1] ?? match[2] ?? '');
  names.delete('');
  if (names.size === 0) return [];
  const escaped = [...names].map((name) => name.replace(/\$/g, '\\$')).join('|');
  return [{ pattern: new RegExp(`(?<![\\w$.])(?:${escaped})(?:\\s*\\.\\s*\\w+)*?\\s*\\.\\s*(?:${ASSERTION_NAMES})\\s*=(?![=>])`), what: 'replaces an assertion function' }];
}

function countMatches(pattern: RegExp, lines: readonly string[]): number {
  return lines.reduce((count, line) => count + (pattern.test(line.slice(0, 4000)) ? 1 : 0), 0);
}


interface ChangedText {
  readonly path: string;
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
  readonly added: readonly { line: number; text: string }[];
  /** Replacing this file's own names for the assertion module. */
  readonly aliases: readonly Rule[];
}

type Change = { readonly path: string; readonly before: Uint8Array | undefined; readonly after: Uint8Array | undefined };

function changedText(change: Change): ChangedText | undefined {
  if (change.after === undefined || INERT.test(change.path)) return undefined;
  const oldText = textOf(change.before);
  const newText = textOf(change.after);
  if (oldText === undefined || newText === undefined) return undefined;
  const added = addedLines(oldText, newText);
  return added.length === 0 ? undefined : { path: change.path, oldLines: oldText.split('\n'), newLines: newText.split('\n'), added, aliases: aliasRules(newText) };
}

const hits = (rule: Rule, line: string): boolean => rule.pattern.test(line.slice(0, 4000));

/**
 * What the added lines of a set of changes (a step's, a review's) can do to their own test run, at
 * most `max` findings per file. A rule counts only where the changes add to it, counted over all of
 * them together: a line a rename touched that already called `process.exit` (a CLI's own exit) is
 * not new, and neither is one moved from a file to another; a file with more such lines than before
 * is. Deleted lines are counted too, so a deletion elsewhere cannot hide an addition only if the
 * total did not grow; that is the price of not flagging every moved line.
 */
export function steeringInChanges(changes: readonly Change[], max = 5): SteeringFinding[] {
  const weakened = weakenedTestFinding(changes);
  const texts = changes.map(changedText).filter((text): text is ChangedText => text !== undefined);
  if (texts.length === 0) return weakened;
  // Everything before and after, not only the files with added lines: code moved out of a file counts where it went.
  const all = changes.map((change) => ({ oldLines: (textOf(change.before) ?? '').split('\n'), newLines: INERT.test(change.path) ? [] : (textOf(change.after) ?? '').split('\n') }));
  const grown = rules.filter((rule) => texts.some((text) => text.added.some((line) => hits(rule, line.text))) && all.reduce((sum, text) => sum + countMatches(rule.pattern, text.newLines) - countMatches(rule.pattern, text.oldLines), 0) > 0);
  const findings: SteeringFinding[] = [];
  for (const text of texts) {
    const own = text.aliases.filter((rule) => countMatches(rule.pattern, text.newLines) > countMatches(rule.pattern, text.oldLines));
    const applicable = [...grown, ...own];
    let found = 0;
    for (const line of text.added) {
      // A long line is judged by its start: minified bundles are not refactored line by line.
      const rule = applicable.find((candidate) => hits(candidate, line.text));
      if (rule === undefined) continue;
      findings.push({ path: text.path, line: line.line, what: rule.what });
      if (++found >= max) break;
    }
  }
  return [...weakened, ...findings];
}

/**
 * Existing test files that check less than before (weakenedTests.ts): one finding, at the first
 * changed line of the test file that lost the most assertions.
 */
function weakenedTestFinding(changes: readonly Change[]): SteeringFinding[] {
  const files = changes
    .filter((change) => isTestFilePath(change.path) && change.before !== undefined)
    .map((change) => ({ path: change.path, oldText: textOf(change.before), newText: change.after === undefined ? '' : textOf(change.after) }))
    .flatMap(({ path, oldText, newText }) => (oldText === undefined || newText === undefined ? [] : [{ path, oldLines: oldText.split('\n'), newLines: newText.split('\n') }]));
  const dropped = assertionsDropped(files);
  if (dropped === undefined) return [];
  // The file that lost the most, each counted once.
  let worst: (typeof files)[number] | undefined;
  let most = -1;
  for (const file of files) {
    const own = assertionsDropped([file]);
    const lost = own === undefined ? 0 : own.before - own.after;
    if (lost > most) [worst, most] = [file, lost];
  }
  if (worst === undefined) return [];
  const firstChange = worst.newLines.findIndex((line, index) => line !== worst.oldLines[index]);
  const line = firstChange < 0 ? Math.max(1, worst.newLines.length) : firstChange + 1;
  const fewer = dropped.before - dropped.after;
  return [{ path: worst.path, line, what: `leaves existing tests with ${String(fewer)} fewer assertion${fewer === 1 ? '' : 's'} (${String(dropped.before)} → ${String(dropped.after)}) while they still run by name` }];
}

/** `steeringInChanges` for one file on its own. */
export function steeringInFile(path: string, before: Uint8Array | undefined, after: Uint8Array | undefined, max = 5): SteeringFinding[] {
  return steeringInChanges([{ path, before, after }], max);
}

/** One file's findings as a reason: `line 3 ends or signals a process (…); line 9 …`. */
export function describeSteering(findings: readonly SteeringFinding[]): string {
  return `it can steer its own test results: ${findings
    .slice(0, 3)
    .map((finding) => `line ${String(finding.line)} ${finding.what}`)
    .join('; ')}${findings.length > 3 ? `; and ${String(findings.length - 3)} more` : ''}`;
}

/** Why a file of such a step needs a decision when the finding is in another of its files. */
export function describeStepSteering(finding: SteeringFinding): string {
  return `its step's green run proves nothing: ${finding.path}:${String(finding.line)} ${finding.what}`;
}

/** The sentence a step's evidence gets when its green run cannot count. */
export function steeringVerdictReason(findings: readonly SteeringFinding[]): string {
  const first = findings.slice(0, 3).map((finding) => `${finding.path}:${String(finding.line)} ${finding.what}`);
  return (
    `But the change can steer its own test results (${first.join('; ')}${findings.length > 3 ? `; and ${String(findings.length - 3)} more` : ''}), ` +
    // Every file of the step is held (changeSet.ts), not only those with a finding.
    'so this green run proves nothing: every file of this step needs your explicit decision in every approval mode.'
  );
}
