// Finds the command that runs a project's own tests, from the files at its root, and narrows it to
// some test files where the runner allows.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type RunnerKind = 'npm' | 'vitest' | 'jest' | 'mocha' | 'node-test' | 'pytest' | 'cargo' | 'go' | 'make' | 'unknown';

export interface DetectedCommand {
  readonly command: string;
  readonly runner: RunnerKind;
  /** Why this command: "package.json scripts.test", "pytest.ini", … */
  readonly source: string;
  /** The package.json `test` script, when the command runs it (its flags are kept when narrowing). */
  readonly script?: string;
}

type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

const isWindows = process.platform === 'win32';
const NPM_DEFAULT_TEST = /no test specified/;
const JS_RUNNERS: readonly (readonly [RunnerKind, RegExp])[] = [
  ['vitest', /\bvitest\b/],
  ['jest', /\bjest\b/],
  ['mocha', /\bmocha\b/],
  ['node-test', /\bnode\b[^&|;]*\s--test\b/],
];
const VITEST_CONFIGS = ['vitest.config', 'vitest.workspace'].flatMap((base) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((ext) => `${base}.${ext}`));
const JEST_CONFIGS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'json'].map((ext) => `jest.config.${ext}`);
const MOCHA_CONFIGS = ['js', 'cjs', 'mjs', 'json', 'jsonc', 'yaml', 'yml'].map((ext) => `.mocharc.${ext}`);

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function list(path: string): Promise<readonly string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readPackageJson(root: string): Promise<Record<string, unknown> | undefined> {
  const text = await readText(join(root, 'package.json'));
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function packageManager(names: ReadonlySet<string>, pkg: Record<string, unknown>): PackageManager {
  if (names.has('pnpm-lock.yaml')) return 'pnpm';
  if (names.has('yarn.lock')) return 'yarn';
  if (names.has('bun.lockb') || names.has('bun.lock')) return 'bun';
  if (names.has('package-lock.json') || names.has('npm-shrinkwrap.json')) return 'npm';
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
  return declared === 'pnpm' || declared === 'yarn' || declared === 'bun' ? declared : 'npm';
}

/** The package manager's way to run the `test` script (`bun test` would run bun's own runner instead). */
const RUN_TEST_SCRIPT: Readonly<Record<PackageManager, string>> = { npm: 'npm test', pnpm: 'pnpm test', yarn: 'yarn test', bun: 'bun run test' };
/** The package manager's way to run a locally installed binary. */
const EXEC: Readonly<Record<PackageManager, string>> = { npm: 'npx', pnpm: 'pnpm exec', yarn: 'yarn', bun: 'bunx' };

function pythonCommand(names: ReadonlySet<string>): string {
  for (const venv of ['.venv', 'venv']) {
    if (names.has(venv)) return isWindows ? `${venv}\\Scripts\\python.exe` : `${venv}/bin/python`;
  }
  return isWindows ? 'python' : 'python3';
}

async function pytestSource(root: string, names: ReadonlySet<string>): Promise<string | undefined> {
  if (names.has('pytest.ini')) return 'pytest.ini';
  if (names.has('pyproject.toml') && /^\[tool\.pytest/m.test((await readText(join(root, 'pyproject.toml'))) ?? '')) return 'pyproject.toml [tool.pytest]';
  if (names.has('setup.cfg') && /^\[tool:pytest\]/m.test((await readText(join(root, 'setup.cfg'))) ?? '')) return 'setup.cfg [tool:pytest]';
  if (names.has('tox.ini') && /^\[pytest\]/m.test((await readText(join(root, 'tox.ini'))) ?? '')) return 'tox.ini [pytest]';
  if (names.has('conftest.py')) return 'conftest.py';
  for (const folder of ['tests', 'test']) {
    if ((await list(join(root, folder))).some((name) => /^test_.*\.py$|_test\.py$/.test(name))) return `${folder}/test_*.py`;
  }
  return undefined;
}

/** The command that runs the tests of the project at `root`, or undefined when none is evident. */
export async function detectTestCommand(root: string): Promise<DetectedCommand | undefined> {
  const names = new Set(await list(root));
  const pkg = names.has('package.json') ? await readPackageJson(root) : undefined;
  const pm = pkg === undefined ? 'npm' : packageManager(names, pkg);
  const test = pkg !== undefined && isRecord(pkg.scripts) ? pkg.scripts.test : undefined;
  if (typeof test === 'string' && test.trim() !== '' && !NPM_DEFAULT_TEST.test(test)) {
    const runner = JS_RUNNERS.find(([, pattern]) => pattern.test(test))?.[0] ?? 'npm';
    return { command: RUN_TEST_SCRIPT[pm], runner, source: 'package.json scripts.test', script: test };
  }
  const exec = EXEC[pm];
  const vitest = VITEST_CONFIGS.find((name) => names.has(name));
  if (vitest !== undefined) return { command: `${exec} vitest run`, runner: 'vitest', source: vitest };
  const jest = JEST_CONFIGS.find((name) => names.has(name)) ?? (isRecord(pkg?.jest) ? 'package.json jest' : undefined);
  if (jest !== undefined) return { command: `${exec} jest`, runner: 'jest', source: jest };
  const mocha = MOCHA_CONFIGS.find((name) => names.has(name)) ?? (isRecord(pkg?.mocha) ? 'package.json mocha' : undefined);
  if (mocha !== undefined) return { command: `${exec} mocha`, runner: 'mocha', source: mocha };
  for (const folder of ['test', 'tests']) {
    if ((await list(join(root, folder))).some((name) => /\.test\.[cm]?js$/.test(name))) {
      return { command: 'node --test', runner: 'node-test', source: `${folder}/*.test.js` };
    }
  }
  const pytest = await pytestSource(root, names);
  if (pytest !== undefined) return { command: `${pythonCommand(names)} -m pytest`, runner: 'pytest', source: pytest };
  if (names.has('Cargo.toml')) return { command: 'cargo test', runner: 'cargo', source: 'Cargo.toml' };
  if (names.has('go.mod')) return { command: 'go test ./...', runner: 'go', source: 'go.mod' };
  for (const makefile of ['GNUmakefile', 'makefile', 'Makefile']) {
    if (names.has(makefile) && /^test\s*:(?!=)/m.test((await readText(join(root, makefile))) ?? '')) {
      return { command: 'make test', runner: 'make', source: `${makefile} test target` };
    }
  }
  return undefined;
}

/** One argument for the platform shell, quoted when it needs to be. */
export function quoteShellArg(arg: string): string {
  if (/^[\w@%+=:,./\\-]+$/.test(arg)) return arg;
  if (isWindows) return `"${arg.replace(/"/g, '""')}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Flags that take the next word as their value, across node and the JavaScript runners. */
const VALUE_FLAGS: ReadonlySet<string> = new Set([
  '--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--env-file',
  '--test-reporter', '--test-reporter-destination', '--test-concurrency', '--test-timeout',
  '--config', '-c', '--project', '--environment', '--root', '--dir', '--reporter', '--timeout', '-t', '--ui', '-u', '--file',
]);

/**
 * The flags and the positional arguments (test folders, files, globs) of a `test` script that is one
 * plain invocation of `binary` (e.g. `node --import tsx --test test/`); undefined when the script is
 * anything more.
 */
export function scriptArguments(script: string, binary: string): { readonly flags: string[]; readonly positionals: string[] } | undefined {
  if (/[&|;<>`$()"'\\]/.test(script)) return undefined;
  const words = script.trim().split(/\s+/);
  if (words[0] !== binary) return undefined;
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('-')) {
      positionals.push(word);
      continue;
    }
    flags.push(word);
    const value = words[i + 1];
    if (VALUE_FLAGS.has(word) && value !== undefined) {
      flags.push(value);
      i++;
    }
  }
  return { flags, positionals };
}

function scriptFlags(script: string, binary: string): string[] | undefined {
  return scriptArguments(script, binary)?.flags;
}

/** How the project runs a locally installed binary (`npx`, `pnpm exec`, …). */
export function execPrefix(detected: DetectedCommand): string {
  const first = detected.command.split(' ')[0];
  return first === 'pnpm' ? 'pnpm exec' : first === 'yarn' ? 'yarn' : first === 'bun' ? 'bunx' : 'npx';
}

/**
 * A command that runs only `testFiles` (paths relative to the root), or undefined when the runner
 * cannot be narrowed that way. When the detected command runs a `test` script, the runner is called
 * directly, keeping the script's flags (`--import tsx`, `--config …`) if the script is a single
 * invocation of it. Mocha adds its config's `spec` to the files given, so it may run more than asked;
 * go narrows to the files' packages.
 */
export function narrowCommand(detected: DetectedCommand, testFiles: readonly string[]): string | undefined {
  if (testFiles.length === 0) return undefined;
  const files = testFiles.map(quoteShellArg).join(' ');
  const { script } = detected;
  const fromScript = script !== undefined;
  const flagsOf = (binary: string): string[] | undefined => (script === undefined ? [] : scriptFlags(script, binary));
  const withFlags = (flags: string[] | undefined): string => (flags === undefined || flags.length === 0 ? '' : ` ${flags.join(' ')}`);
  switch (detected.runner) {
    case 'node-test': {
      const flags = flagsOf('node')?.filter((flag) => flag !== '--test');
      if (fromScript && flags === undefined) return undefined;
      return `node${withFlags(flags)} --test ${files}`;
    }
    case 'vitest': {
      const flags = flagsOf('vitest')?.filter((flag) => flag !== '--watch' && flag !== '-w');
      return `${execPrefix(detected)} vitest run${withFlags(flags)} ${files}`;
    }
    case 'jest':
      return `${execPrefix(detected)} jest${withFlags(flagsOf('jest')?.filter((flag) => flag !== '--watch' && flag !== '--watchAll'))} --runTestsByPath ${files}`;
    case 'mocha':
      return `${execPrefix(detected)} mocha${withFlags(flagsOf('mocha')?.filter((flag) => flag !== '--watch' && flag !== '-w'))} ${files}`;
    case 'pytest':
      return `${detected.command} ${files}`;
    case 'cargo': {
      const targets = testFiles.map((file) => /^tests[/\\]([\w-]+)\.rs$/.exec(file)?.[1]);
      if (targets.some((target) => target === undefined)) return undefined;
      return `cargo test ${targets.map((target) => `--test ${target ?? ''}`).join(' ')}`;
    }
    case 'go': {
      const packages = [...new Set(testFiles.map((file) => dirname(file).replace(/\\/g, '/')))];
      return `go test ${packages.map((dir) => quoteShellArg(dir === '.' ? '.' : `./${dir.replace(/^\.\//, '')}`)).join(' ')}`;
    }
    case 'npm':
    case 'make':
    case 'unknown':
      return undefined;
  }
}
