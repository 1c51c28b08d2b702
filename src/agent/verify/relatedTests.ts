import { execPrefix, narrowCommand, quoteShellArg, scriptArguments, type DetectedCommand } from './detectTestCommand';
import { JS_SOURCE, relatedByImports } from './relatedJavaScript';
import { relatedCargoTargets, relatedGoPackages } from './relatedNative';
import { relatedPythonTests } from './relatedPython';
import { readSourceTree, type SourceTree } from './sourceTree';

/** What a step changed, for choosing the tests worth running before the full suite. */
export interface RelatedTestsInput {
  /** Where the files are as the step left them (the verification copy). */
  readonly root: string;
  /** The project's detected runner; none: nothing can be narrowed. */
  readonly detected: DetectedCommand;
  /** Workspace-relative paths the step changed (and, for a re-verification, all its files). */
  readonly changedFiles: readonly string[];
  /** The plan step's `verify` line, when it has one. */
  readonly verifyLine?: string;
  readonly signal?: AbortSignal;
}

/** A run of only the tests that matter to a step: fast to fail, never enough to pass it. */
export interface RelatedTests {
  readonly command: string;
  /** The test files (or packages, crates) it runs, workspace-relative. */
  readonly tests: readonly string[];
  /** How they were chosen, for the evidence: "the plan's Verify line", "jest --findRelatedTests", … */
  readonly how: string;
  /** How many test files the full suite runs, where the selection knows (node --test, mocha). */
  readonly suiteTests?: number;
}

/** Test files by the names the common runners use (what a Verify line may name). */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|^tests?\/|_test\.(py|go)$|(^|\/)test_[^/]*\.py$/;
/** Files jest and vitest can relate to tests (their module graph holds nothing else). */
const JS_MODULE = /\.(?:[cm]?[jt]sx?|json|vue|svelte)$/;

/** The test files a Verify line names that exist in the copy (`tests/test_a.py::test_x` by its file). */
function namedByVerifyLine(line: string | undefined, files: ReadonlySet<string>): string[] {
  const named = (line ?? '').split(/[\s,;`'"]+/).map((part) => part.replace(/^\.\//, '')).filter((part) => TEST_FILE.test(part.split('::')[0] ?? ''));
  return [...new Set(named.filter((part) => files.has(part.split('::')[0] ?? '')))];
}

/** The folders and files a `node --test …` or `mocha …` script runs: each argument, a glob by its fixed folders. */
function scriptTargets(detected: DetectedCommand, binary: string): string[] {
  if (detected.script === undefined) return [];
  const positionals = scriptArguments(detected.script, binary)?.positionals ?? [];
  // Folders, files and globs (`./tests/*.js`: the shell or the runner expands it) stay as written, so
  // a file the script would not run (`tests/index.test-d.ts` beside `tests/*.js`) is not run either.
  const targets = positionals.map((target) => target.replace(/^\.\//, '').replace(/\/+$/, ''));
  // One argument that covers the whole tree (`'**/*.test.js'`, `.`): no narrower scope.
  return targets.some((target) => target === '' || target === '.' || /^\*\*\//.test(target)) ? [] : targets;
}

function describe(how: string, named: readonly string[]): string {
  return named.length > 0 ? `${how}, and the tests the plan's Verify line names` : how;
}

/** jest and vitest find related tests from their own module graph (aliases, mocks and all). */
function fromRunner(detected: DetectedCommand, changed: readonly string[], named: readonly string[]): RelatedTests | undefined {
  const modules = [...new Set([...changed.filter((path) => JS_MODULE.test(path)), ...named])];
  if (modules.length === 0) return undefined;
  const files = modules.map(quoteShellArg).join(' ');
  const flags = (binary: string, drop: readonly string[]): string => {
    const kept = detected.script === undefined ? [] : (scriptArguments(detected.script, binary)?.flags ?? []).filter((flag) => !drop.includes(flag));
    return kept.length === 0 ? '' : ` ${kept.join(' ')}`;
  };
  if (detected.runner === 'jest') {
    return { command: `${execPrefix(detected)} jest${flags('jest', ['--watch', '--watchAll'])} --passWithNoTests --findRelatedTests ${files}`, tests: modules, how: describe('jest --findRelatedTests on the changed files', named) };
  }
  return { command: `${execPrefix(detected)} vitest related --run${flags('vitest', ['--watch', '-w', '--run'])} --passWithNoTests ${files}`, tests: modules, how: describe('vitest related on the changed files', named) };
}

function byTestFiles(detected: DetectedCommand, tests: readonly string[], how: string, named: readonly string[]): RelatedTests | undefined {
  const all = [...new Set([...tests, ...named])].sort();
  const command = narrowCommand(detected, all);
  return command === undefined ? undefined : { command, tests: all, how: tests.length > 0 ? describe(how, named) : "the tests the plan's Verify line names" };
}

async function select(input: RelatedTestsInput, tree: SourceTree, changed: readonly string[]): Promise<RelatedTests | undefined> {
  const { detected, signal } = input;
  const named = namedByVerifyLine(input.verifyLine, tree.files);
  switch (detected.runner) {
    case 'jest':
    case 'vitest':
      return fromRunner(detected, changed, named);
    case 'node-test':
    case 'mocha': {
      const { tests, suiteTests } = await relatedByImports(tree, changed, scriptTargets(detected, detected.runner === 'mocha' ? 'mocha' : 'node'), signal);
      const chosen = byTestFiles(detected, tests, 'the test files that import the changed files (directly or through other modules)', named);
      return chosen === undefined ? undefined : { ...chosen, suiteTests };
    }
    case 'pytest':
      return byTestFiles(detected, await relatedPythonTests(tree, changed, signal), 'the test modules that import the changed modules or are named after them', named);
    case 'go': {
      const packages = relatedGoPackages([...changed, ...named]);
      return packages === undefined ? undefined : { ...packages, how: describe("the changed files' packages", named) };
    }
    case 'cargo': {
      const crates = await relatedCargoTargets(tree, [...changed, ...named]);
      return crates === undefined ? undefined : { ...crates, how: describe("the changed files' crates", named) };
    }
    case 'npm':
    case 'make':
    case 'unknown':
      return undefined;
  }
}

/** What each runner's selection reads of the copy: its own sources and the manifests that place them. */
function sourcesOf(detected: DetectedCommand): (path: string) => boolean {
  switch (detected.runner) {
    case 'pytest':
      return (path) => path.endsWith('.py');
    case 'cargo':
      return (path) => path.endsWith('.rs') || path.endsWith('Cargo.toml');
    case 'go':
      return (path) => path.endsWith('.go');
    default:
      return (path) => JS_SOURCE.test(path) || JS_MODULE.test(path);
  }
}

/**
 * The command that runs the tests related to a step's files, or undefined when none can be told
 * apart (the full suite is then the first run): jest `--findRelatedTests`, vitest `related`, the
 * pytest modules that import the changed ones or are named after them, go packages, cargo crates
 * or integration targets, node --test and mocha files found by walking the copy's imports, and
 * whatever tests the plan's Verify line names (only files that exist: the line is the model's text,
 * never a command). The project's script flags are kept as `narrowCommand` keeps them.
 */
export async function relatedTestsCommand(input: RelatedTestsInput): Promise<RelatedTests | undefined> {
  const changed = [...new Set(input.changedFiles.map((path) => path.replace(/\\/g, '/').replace(/^\.\//, '')))];
  if (changed.length === 0 && (input.verifyLine ?? '').trim() === '') return undefined;
  const tree = await readSourceTree(input.root, { include: sourcesOf(input.detected), ...(input.signal !== undefined ? { signal: input.signal } : {}) });
  if (input.signal?.aborted === true) return undefined;
  return select(input, tree, changed);
}
