import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectTestCommand, narrowCommand, type DetectedCommand } from '../../src/agent/verify/detectTestCommand';
import { parseTestOutput } from '../../src/agent/verify/parseTestOutput';
import { runProcess } from '../../src/agent/verify/processRunner';

const windows = process.platform === 'win32';
const python = windows ? 'python' : 'python3';
const folders: string[] = [];

function project(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-detect-')));
  folders.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function pkg(scripts: Record<string, string>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: 'fixture', version: '1.0.0', scripts, ...extra });
}

async function detect(files: Record<string, string>): Promise<DetectedCommand | undefined> {
  return detectTestCommand(project(files));
}

after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('detectTestCommand: JavaScript', () => {
  test('runs the test script with the lockfile\'s package manager and names the runner', async () => {
    assert.deepEqual(await detect({ 'package.json': pkg({ test: 'vitest run' }), 'package-lock.json': '{}' }), {
      command: 'npm test', runner: 'vitest', source: 'package.json scripts.test', script: 'vitest run',
    });
    assert.deepEqual(await detect({ 'package.json': pkg({ test: 'jest --ci' }), 'pnpm-lock.yaml': '' }), {
      command: 'pnpm test', runner: 'jest', source: 'package.json scripts.test', script: 'jest --ci',
    });
    assert.equal((await detect({ 'package.json': pkg({ test: 'mocha' }), 'yarn.lock': '' }))?.command, 'yarn test');
    assert.equal((await detect({ 'package.json': pkg({ test: 'mocha' }), 'yarn.lock': '' }))?.runner, 'mocha');
    const bun = await detect({ 'package.json': pkg({ test: 'node --import tsx --test test/' }), 'bun.lockb': '' });
    assert.equal(bun?.command, 'bun run test', '`bun test` would run bun\'s own runner, not the script');
    assert.equal(bun?.runner, 'node-test');
    assert.equal((await detect({ 'package.json': pkg({ test: 'mocha' }, { packageManager: 'pnpm@9.1.0' }) }))?.command, 'pnpm test');
    assert.equal((await detect({ 'package.json': pkg({ test: 'mocha' }) }))?.command, 'npm test');
  });

  test('a script that names no known runner is an npm run', async () => {
    assert.equal((await detect({ 'package.json': pkg({ test: 'node scripts/test-all.mjs' }) }))?.runner, 'npm');
    assert.equal((await detect({ 'package.json': pkg({ test: 'tsc && node --test dist/' }) }))?.runner, 'node-test');
  });

  test('ignores npm\'s placeholder script and falls back to config files', async () => {
    const placeholder = pkg({ test: 'echo "Error: no test specified" && exit 1' });
    assert.deepEqual(await detect({ 'package.json': placeholder, 'jest.config.js': '' }), { command: 'npx jest', runner: 'jest', source: 'jest.config.js' });
    assert.deepEqual(await detect({ 'package.json': placeholder, 'pnpm-lock.yaml': '', 'vitest.config.ts': '' }), {
      command: 'pnpm exec vitest run', runner: 'vitest', source: 'vitest.config.ts',
    });
    assert.deepEqual(await detect({ 'package.json': pkg({}, { jest: { testEnvironment: 'node' } }) }), { command: 'npx jest', runner: 'jest', source: 'package.json jest' });
    assert.deepEqual(await detect({ 'package.json': pkg({}), '.mocharc.yml': 'spec: test/**/*.js' }), { command: 'npx mocha', runner: 'mocha', source: '.mocharc.yml' });
    assert.deepEqual(await detect({ 'vitest.config.mjs': '' }), { command: 'npx vitest run', runner: 'vitest', source: 'vitest.config.mjs' });
    assert.equal(await detect({ 'package.json': placeholder }), undefined);
  });

  test('a test folder of *.test.js files without a script runs node --test', async () => {
    assert.deepEqual(await detect({ 'package.json': pkg({}), 'test/a.test.mjs': '' }), { command: 'node --test', runner: 'node-test', source: 'test/*.test.js' });
    assert.equal((await detect({ 'tests/b.test.cjs': '' }))?.command, 'node --test');
    assert.equal(await detect({ 'test/helper.js': '' }), undefined);
  });

  test('a broken package.json is skipped, not fatal', async () => {
    assert.deepEqual(await detect({ 'package.json': '{ not json', 'go.mod': 'module x' }), { command: 'go test ./...', runner: 'go', source: 'go.mod' });
  });
});

describe('detectTestCommand: other ecosystems', () => {
  test('pytest from its configuration or its test files', async () => {
    const expected = (source: string): DetectedCommand => ({ command: `${python} -m pytest`, runner: 'pytest', source });
    assert.deepEqual(await detect({ 'pytest.ini': '[pytest]\n' }), expected('pytest.ini'));
    assert.deepEqual(await detect({ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' }), expected('pyproject.toml [tool.pytest]'));
    assert.deepEqual(await detect({ 'setup.cfg': '[metadata]\nname = x\n[tool:pytest]\ntestpaths = tests\n' }), expected('setup.cfg [tool:pytest]'));
    assert.deepEqual(await detect({ 'conftest.py': '' }), expected('conftest.py'));
    assert.deepEqual(await detect({ 'tests/test_calc.py': '' }), expected('tests/test_*.py'));
    assert.equal(await detect({ 'pyproject.toml': '[project]\nname = "x"\n' }), undefined);
    const venv = await detect({ 'pytest.ini': '', '.venv/pyvenv.cfg': '' });
    assert.equal(venv?.command, windows ? '.venv\\Scripts\\python.exe -m pytest' : '.venv/bin/python -m pytest');
  });

  test('cargo, go and make', async () => {
    assert.deepEqual(await detect({ 'Cargo.toml': '[package]\nname = "x"\n' }), { command: 'cargo test', runner: 'cargo', source: 'Cargo.toml' });
    assert.deepEqual(await detect({ 'go.mod': 'module example.com/x\n' }), { command: 'go test ./...', runner: 'go', source: 'go.mod' });
    assert.deepEqual(await detect({ Makefile: 'build:\n\tcc x.c\n\ntest: build\n\t./run-tests\n' }), { command: 'make test', runner: 'make', source: 'Makefile test target' });
    assert.equal(await detect({ Makefile: 'build:\n\tcc x.c\n' }), undefined);
    assert.equal(await detect({ Makefile: 'test := yes\nall:\n\techo\n' }), undefined);
  });

  test('the package script comes first, then the order above', async () => {
    assert.equal((await detect({ 'package.json': pkg({ test: 'jest' }), 'pytest.ini': '', 'Cargo.toml': '' }))?.runner, 'jest');
    assert.equal((await detect({ 'pytest.ini': '', 'Cargo.toml': '', 'go.mod': '' }))?.runner, 'pytest');
    assert.equal((await detect({ 'Cargo.toml': '', 'go.mod': '', Makefile: 'test:\n' }))?.runner, 'cargo');
    assert.equal((await detect({ 'go.mod': '', Makefile: 'test:\n' }))?.runner, 'go');
  });

  test('nothing to go on', async () => {
    assert.equal(await detect({ 'README.md': '# hi' }), undefined);
    assert.equal(await detectTestCommand(join(tmpdir(), 'plumbline-no-such-folder-3f9a')), undefined);
  });
});

describe('narrowCommand', () => {
  const fromScript = (runner: DetectedCommand['runner'], script: string, command = 'npm test'): DetectedCommand => ({ command, runner, source: 'package.json scripts.test', script });
  const q = (arg: string): string => (windows ? `"${arg}"` : `'${arg}'`);

  test('node --test keeps the script\'s flags and drops its paths', () => {
    assert.equal(narrowCommand(fromScript('node-test', 'node --import tsx --test test/unit/'), ['test/a.test.ts', 'test/b c.test.ts']), `node --import tsx --test test/a.test.ts ${q('test/b c.test.ts')}`);
    assert.equal(narrowCommand(fromScript('node-test', 'tsc && node --test dist/'), ['a.test.js']), undefined, 'not a single node invocation');
    assert.equal(narrowCommand({ command: 'node --test', runner: 'node-test', source: 'test/*.test.js' }, ['test/a.test.js']), 'node --test test/a.test.js');
  });

  test('vitest, jest and mocha are called directly through the package manager', () => {
    assert.equal(narrowCommand(fromScript('vitest', 'vitest --config vitest.unit.ts', 'pnpm test'), ['src/a.test.ts']), 'pnpm exec vitest run --config vitest.unit.ts src/a.test.ts');
    assert.equal(narrowCommand(fromScript('vitest', 'tsc && vitest run'), ['src/a.test.ts']), 'npx vitest run src/a.test.ts');
    assert.equal(narrowCommand(fromScript('jest', 'jest --ci --watch'), ['src/[id].test.ts']), `npx jest --ci --runTestsByPath ${q('src/[id].test.ts')}`);
    assert.equal(narrowCommand({ command: 'npx mocha', runner: 'mocha', source: '.mocharc.yml' }, ['test/a.spec.js']), 'npx mocha test/a.spec.js');
  });

  test('pytest, cargo integration tests and go packages', () => {
    const pytest: DetectedCommand = { command: 'python3 -m pytest', runner: 'pytest', source: 'pytest.ini' };
    assert.equal(narrowCommand(pytest, ['tests/test_a.py', 'tests/test_b.py::test_x']), 'python3 -m pytest tests/test_a.py tests/test_b.py::test_x');
    const cargo: DetectedCommand = { command: 'cargo test', runner: 'cargo', source: 'Cargo.toml' };
    assert.equal(narrowCommand(cargo, ['tests/api.rs', 'tests/cli.rs']), 'cargo test --test api --test cli');
    assert.equal(narrowCommand(cargo, ['src/lib.rs']), undefined, 'unit tests live inside the crate');
    const go: DetectedCommand = { command: 'go test ./...', runner: 'go', source: 'go.mod' };
    assert.equal(narrowCommand(go, ['calc_test.go', 'internal/str/str_test.go', 'internal/str/more_test.go']), 'go test . ./internal/str');
  });

  test('runners that cannot be narrowed, and no files', () => {
    assert.equal(narrowCommand(fromScript('npm', 'node scripts/test.mjs'), ['a.test.js']), undefined);
    assert.equal(narrowCommand({ command: 'make test', runner: 'make', source: 'Makefile test target' }, ['a.c']), undefined);
    assert.equal(narrowCommand({ command: 'node --test', runner: 'node-test', source: 'test/*.test.js' }, []), undefined);
  });

  test('a narrowed node --test run really runs only the named file', { skip: windows && 'POSIX quoting', timeout: 60_000 }, async () => {
    const root = project({
      'package.json': pkg({ test: 'node --test test/' }),
      'test/one.test.js': "const test = require('node:test'); test('one', () => {});",
      'test/two.test.js': "const test = require('node:test'); test('two a', () => {}); test('two b', () => { throw new Error('boom'); });",
    });
    const detected = await detectTestCommand(root);
    assert.ok(detected);
    const command = narrowCommand(detected, ['test/two.test.js']);
    assert.equal(command, 'node --test test/two.test.js');
    // This file runs under `node --test`, whose NODE_TEST_CONTEXT runProcess must not hand on.
    const result = await runProcess({ command: command ?? '', cwd: root, timeoutMs: 30_000 });
    const summary = parseTestOutput(result.output, detected.runner);
    assert.equal(result.exitCode, 1);
    assert.deepEqual([summary.total, summary.passed, summary.failed], [2, 1, 1]);
    assert.equal(summary.failures[0]?.name, 'two b');
    assert.equal(summary.failures[0]?.file, join(root, 'test/two.test.js'));
  });
});
