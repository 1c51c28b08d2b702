import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectTestCommand, type DetectedCommand } from '../../src/agent/verify/detectTestCommand';
import { parseTestOutput } from '../../src/agent/verify/parseTestOutput';
import { runProcess } from '../../src/agent/verify/processRunner';
import { relatedTestsCommand, type RelatedTests } from '../../src/agent/verify/relatedTests';
import { cargoPackageName } from '../../src/agent/verify/relatedNative';
import { pythonImportedNames } from '../../src/agent/verify/relatedPython';
import { globPattern, jsImports, relativeSpecifiers } from '../../src/agent/verify/relatedJavaScript';
import { buildImportGraph } from '../../src/agent/verify/importGraph';

const windows = process.platform === 'win32';
const folders: string[] = [];

function tree(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-related-')));
  folders.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const pkg = (test: string): string => JSON.stringify({ name: 'fixture', version: '1.0.0', scripts: { test } });

async function related(files: Record<string, string>, changedFiles: readonly string[], verifyLine?: string): Promise<RelatedTests | undefined> {
  const root = tree(files);
  const detected = await detectTestCommand(root);
  assert.ok(detected, 'the fixture has a test command');
  return relatedTestsCommand({ root, detected, changedFiles, ...(verifyLine !== undefined ? { verifyLine } : {}) });
}

/** A node --test project: src/money.js ← src/cart.js ← test/cart.test.js (two levels), and an unrelated test. */
const nodeProject = {
  'package.json': pkg('node --test test/'),
  'src/money.js': 'exports.cents = (n) => Math.round(n * 100);\n',
  'src/cart.js': "const { cents } = require('./money');\nexports.total = (items) => cents(items.reduce((a, b) => a + b, 0));\n",
  'src/strings.mjs': 'export const shout = (s) => s.toUpperCase();\n',
  'src/index.ts': "export { total } from './cart.js';\n",
  'test/cart.test.js': "const test = require('node:test');\nconst assert = require('node:assert');\nconst { total } = require('../src/cart');\ntest('totals', () => assert.equal(total([1.5]), 150));\n",
  'test/strings.test.mjs': "import test from 'node:test';\nimport { shout } from '../src/strings.mjs';\ntest('shouts', () => {});\n",
  'test/helpers/load.js': "module.exports = () => import('../../src/index.ts');\n",
  'test/entry.test.js': "const load = require('./helpers/load');\nrequire('node:test')('loads', async () => { await load; });\n",
  'docs/notes.md': 'nothing to test\n',
};

describe('related tests: node --test and mocha by the import graph', () => {
  test('a changed source file finds its test through a two-level import chain, and no other', async () => {
    const found = await related(nodeProject, ['src/money.js']);
    assert.deepEqual(found?.tests, ['test/cart.test.js', 'test/entry.test.js'], 'cart.test → cart → money; entry.test → helpers/load → index.ts → cart.js (emitted name) → money');
    assert.equal(found?.command, 'node --test test/cart.test.js test/entry.test.js');
    assert.match(found?.how ?? '', /import the changed files/);
  });

  test('ESM imports, a changed test file itself, and nothing for a file no test imports', async () => {
    assert.deepEqual((await related(nodeProject, ['src/strings.mjs']))?.tests, ['test/strings.test.mjs']);
    assert.deepEqual((await related(nodeProject, ['test/strings.test.mjs']))?.tests, ['test/strings.test.mjs']);
    assert.equal(await related(nodeProject, ['docs/notes.md']), undefined, 'no test relates: the full suite is the first run');
    assert.equal(await related(nodeProject, []), undefined);
  });

  test('the script\'s flags are kept and its folders bound the tests', async () => {
    const found = await related(
      { ...nodeProject, 'package.json': pkg('node --import tsx --test test/unit/'), 'test/unit/cart.test.ts': "import { total } from '../../src/cart';\n", 'test/integration/cart.test.ts': "import { total } from '../../src/cart';\n" },
      ['src/cart.js'],
    );
    assert.equal(found?.command, 'node --import tsx --test test/unit/cart.test.ts');
  });

  test('a glob in the script bounds the tests as the shell would expand it: a type test beside tests/*.js is not run', async () => {
    const found = await related(
      {
        'package.json': pkg('node --test ./tests/*.js'),
        'index.js': 'export default function classNames() {}\n',
        'tests/index.js': "import classNames from '../index.js';\n",
        'tests/index.test-d.ts': "import classNames from '../index.js';\n",
      },
      ['index.js'],
    );
    assert.equal(found?.command, 'node --test tests/index.js');
  });

  test('globs: one folder, any depth, alternatives and classes', () => {
    const cases: [string, string, boolean][] = [
      ['tests/*.js', 'tests/index.js', true],
      ['tests/*.js', 'tests/index.test-d.ts', false],
      ['tests/*.js', 'tests/deeper/index.js', false],
      ['test/**/*.test.js', 'test/a/b/c.test.js', true],
      ['test/**/*.test.js', 'test/c.test.js', true],
      ['src/{a,b}.js', 'src/b.js', true],
      ['src/{a,b}.js', 'src/c.js', false],
      ['t/[!ab].js', 't/a.js', false],
      ['t/?.js', 't/x.js', true],
    ];
    for (const [glob, path, matches] of cases) assert.equal(globPattern(glob).test(path), matches, `${glob} ${path}`);
  });

  test('mocha: a file in test/ that nothing imports is a test, a helper is not; node_modules and links are not walked', async () => {
    const root = tree({
      'package.json': pkg('mocha --timeout 5000'),
      'lib/parse.js': 'module.exports = (s) => s.split(",");\n',
      'lib/index.js': "module.exports = require('./parse');\n",
      'test/parse.js': "const parse = require('../lib');\n",
      'test/support.js': "module.exports = require('../lib/parse');\n",
      'test/uses-support.js': "require('./support');\n",
      'node_modules/dep/test/x.test.js': "require('../../../lib/parse');\n",
    });
    symlinkSync(join(root, 'lib'), join(root, 'linked'), 'dir');
    const detected = await detectTestCommand(root);
    assert.ok(detected);
    const found = await relatedTestsCommand({ root, detected, changedFiles: ['lib/parse.js'] });
    assert.deepEqual(found?.tests, ['test/parse.js', 'test/uses-support.js']);
    assert.equal(found?.command, 'npx mocha --timeout 5000 test/parse.js test/uses-support.js');
  });

  test('the narrowed command runs only the related test (real node --test)', { skip: windows && 'POSIX quoting', timeout: 60_000 }, async () => {
    const root = tree({ ...nodeProject, 'src/money.js': 'exports.cents = (n) => -1;\n' });
    const detected = await detectTestCommand(root);
    assert.ok(detected);
    const found = await relatedTestsCommand({ root, detected, changedFiles: ['src/money.js'] });
    const result = await runProcess({ command: found?.command ?? '', cwd: root, timeoutMs: 30_000 });
    const summary = parseTestOutput(result.output, detected.runner);
    assert.equal(result.exitCode, 1);
    assert.deepEqual(summary.failures.map((failure) => failure.name), ['totals']);
    assert.equal(summary.total, 2, 'cart and entry ran; strings did not');
  });

  test('import specifiers: every form, relative ones only', () => {
    const text = "import a from './a';\nimport {\n  b,\n} from \"../b.js\";\nimport './side';\nexport * from './c';\nconst d = await import('./d');\nconst e = require('./e');\nimport x from 'lodash';\n";
    assert.deepEqual(relativeSpecifiers(text).sort(), ['../b.js', './a', './c', './d', './e', './side']);
  });
});

describe('related tests: jest and vitest find them themselves', () => {
  test('jest --findRelatedTests with the script\'s flags, only for JavaScript modules', async () => {
    const found = await related({ 'package.json': pkg('jest --ci --watch'), 'src/a.ts': '', 'README.md': '' }, ['src/a.ts', 'README.md']);
    assert.equal(found?.command, 'npx jest --ci --passWithNoTests --findRelatedTests src/a.ts');
    assert.deepEqual(found?.tests, ['src/a.ts']);
    assert.equal(await related({ 'package.json': pkg('jest'), 'README.md': '' }, ['README.md']), undefined);
  });

  test('vitest related --run, through the lockfile\'s package manager', async () => {
    const found = await related({ 'package.json': pkg('vitest --config vitest.unit.ts'), 'pnpm-lock.yaml': '', 'src/a.ts': '', 'src/a.test.ts': '' }, ['src/a.ts'], 'run src/a.test.ts');
    assert.equal(found?.command, 'pnpm exec vitest related --run --config vitest.unit.ts --passWithNoTests src/a.ts src/a.test.ts');
    assert.match(found?.how ?? '', /Verify line/);
  });
});

describe('related tests: pytest', () => {
  const project = {
    'pytest.ini': '[pytest]\n',
    'src/shop/__init__.py': '',
    'src/shop/money.py': 'def cents(n):\n    return round(n * 100)\n',
    'src/shop/cart.py': 'from .money import cents\n\ndef total(items):\n    return cents(sum(items))\n',
    'src/shop/strings.py': 'def shout(s):\n    return s.upper()\n',
    'tests/test_cart.py': 'from shop.cart import total\n\ndef test_total():\n    assert total([1.5]) == 150\n',
    'tests/test_strings.py': 'import shop.strings as s\n',
    'tests/test_money.py': '',
    'tests/conftest.py': '',
    'setup.py': '',
  };

  test('modules that import the changed one (through a relative import), and the test named after it', async () => {
    const found = await related(project, ['src/shop/money.py']);
    assert.deepEqual(found?.tests, ['tests/test_cart.py', 'tests/test_money.py']);
    assert.match(found?.command ?? '', /-m pytest tests\/test_cart\.py tests\/test_money\.py$/);
  });

  test('a changed conftest.py relates the tests under it; an unrelated module relates none', async () => {
    assert.deepEqual((await related(project, ['tests/conftest.py']))?.tests, ['tests/test_cart.py', 'tests/test_money.py', 'tests/test_strings.py']);
    assert.equal(await related(project, ['setup.py']), undefined);
  });

  test('import statements', () => {
    assert.deepEqual(pythonImportedNames('pkg/sub/mod.py', 'import os, a.b as c\nfrom ..util import (\n  x,\n  y)\nfrom . import z\n'), ['os', 'a', 'a.b', 'pkg', 'pkg.util', 'pkg.util.x', 'pkg.util.y', 'pkg.sub', 'pkg.sub.z']);
  });
});

describe('related tests: go and cargo', () => {
  test('go: the changed files\' packages', async () => {
    const found = await related({ 'go.mod': 'module x\n', 'calc.go': '', 'internal/str/str.go': '', 'internal/str/str_test.go': '', 'README.md': '' }, ['internal/str/str.go', 'calc.go', 'README.md']);
    assert.equal(found?.command, 'go test . ./internal/str');
    assert.equal(await related({ 'go.mod': 'module x\n', 'README.md': '' }, ['README.md']), undefined);
  });

  const workspace = {
    'Cargo.toml': '[workspace]\nmembers = ["core", "cli"]\n',
    'core/Cargo.toml': '[package]\nname = "shop-core"\nversion = "0.1.0"\n\n[dependencies]\nname = "not this"\n',
    'core/src/lib.rs': '',
    'core/tests/money.rs': '',
    'cli/Cargo.toml': '[package]\nversion = "0.1.0"\nname = "shop-cli"\n',
    'cli/src/main.rs': '',
  };

  test('cargo: the crates of changed sources, or one crate\'s changed integration targets', async () => {
    assert.equal((await related(workspace, ['core/src/lib.rs', 'cli/src/main.rs']))?.command, 'cargo test -p shop-cli -p shop-core');
    assert.equal((await related(workspace, ['core/tests/money.rs']))?.command, 'cargo test -p shop-core --test money');
    const single = { 'Cargo.toml': '[package]\nname = "calc"\n', 'src/lib.rs': '', 'tests/api.rs': '' };
    assert.equal((await related(single, ['tests/api.rs']))?.command, 'cargo test --test api');
    assert.equal(await related(single, ['src/lib.rs']), undefined, 'the only crate: that is the full suite');
  });

  test('a Cargo.toml\'s package name', () => {
    assert.equal(cargoPackageName(workspace['core/Cargo.toml']), 'shop-core');
    assert.equal(cargoPackageName(workspace['Cargo.toml']), undefined);
  });
});

describe('related tests: the plan\'s Verify line', () => {
  test('names only test files that exist, never a command', async () => {
    const found = await related(nodeProject, ['docs/notes.md'], 'node --test test/strings.test.mjs; rm -rf / test/missing.test.js');
    assert.equal(found?.command, 'node --test test/strings.test.mjs');
    assert.equal(found?.how, "the tests the plan's Verify line names");
  });

  test('a runner that cannot be narrowed', async () => {
    const detected: DetectedCommand = { command: 'make test', runner: 'make', source: 'Makefile test target' };
    assert.equal(await relatedTestsCommand({ root: tree({ 'a.c': '' }), detected, changedFiles: ['a.c'] }), undefined);
  });
});

describe('related tests: the import walk is bounded', () => {
  test('past its time budget the graph is left partial instead of read whole', async () => {
    const files = new Set(Array.from({ length: 200 }, (_, index) => `src/m${index}.js`));
    let reads = 0;
    const slowTree = {
      files,
      read: async (path: string): Promise<string> => {
        reads++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return `require('./${path.slice(4)}');\n`;
      },
    };
    await buildImportGraph(slowTree, () => true, jsImports, undefined, 1);
    assert.ok(reads <= 64, `one batch at most (${reads} reads)`);
    reads = 0;
    await buildImportGraph(slowTree, () => true, jsImports);
    assert.equal(reads, 200, 'within the budget every file is read');
  });
});
