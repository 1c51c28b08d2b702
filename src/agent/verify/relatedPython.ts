// Related tests for pytest: test modules that import a changed module (directly or through other
// modules), test modules named after it (`test_calc.py` for `calc.py`), and those a changed
// conftest.py applies to.
import { basenameOf, buildImportGraph, dirnameOf, importersOf, type ImportsOf } from './importGraph';
import type { SourceTree } from './sourceTree';
import { PY_TEST_MODULE } from './testFileNames';

const PYTHON = /\.py$/;

/**
 * Every dotted name a file can be imported by: `src/pkg/calc.py` is `src.pkg.calc`, `pkg.calc` and
 * `calc` (pytest puts test folders and projects put `src/` on the path; which one is in force the
 * tree cannot tell, and a wider guess only runs a few more tests). A package's `__init__.py` is the
 * package's name.
 */
function moduleNames(path: string): string[] {
  const parts = path.replace(/\.py$/, '').split('/');
  if (parts.at(-1) === '__init__') parts.pop();
  return parts.map((_, index) => parts.slice(index).join('.')).filter((name) => name !== '');
}

function moduleIndex(files: ReadonlySet<string>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const path of files) {
    if (!PYTHON.test(path)) continue;
    for (const name of moduleNames(path)) {
      const list = index.get(name);
      if (list === undefined) index.set(name, [path]);
      else list.push(path);
    }
  }
  return index;
}

/** The dotted names an import statement loads: `a.b.c` loads `a`, `a.b` and `a.b.c`. */
function withParents(name: string): string[] {
  const parts = name.split('.');
  return parts.map((_, index) => parts.slice(0, index + 1).join('.'));
}

/** `from ..pkg import x` inside `a/b/mod.py`: the package it names, as a dotted path of the tree. */
function relativeBase(importer: string, dots: number, module: string): string | undefined {
  const folders = dirnameOf(importer).split('/').filter((part) => part !== '');
  if (dots - 1 > folders.length) return undefined;
  const base = folders.slice(0, folders.length - (dots - 1));
  return [...base, ...(module === '' ? [] : module.split('.'))].join('.');
}

const IMPORT = /^[ \t]*import[ \t]+([\w. \t,]+)/gm;
const FROM_IMPORT = /^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w \t,\n*]+)/gm;

/** The dotted names a module's text imports, relative ones resolved against its own package. */
export function pythonImportedNames(path: string, text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    for (const item of (match[1] ?? '').split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name !== undefined && name !== '') names.push(...withParents(name));
    }
  }
  for (const match of text.matchAll(FROM_IMPORT)) {
    const dots = (match[1] ?? '').length;
    const base = dots === 0 ? match[2] ?? '' : relativeBase(path, dots, match[2] ?? '');
    if (base === undefined) continue;
    if (base !== '') names.push(...withParents(base));
    // `from pkg import calc` may import the module pkg.calc.
    for (const item of (match[3] ?? '').split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name !== undefined && /^\w+$/.test(name)) names.push(base === '' ? name : `${base}.${name}`);
    }
  }
  return [...new Set(names)];
}

/**
 * The pytest test modules related to `changed`. A changed test module relates itself; a changed
 * conftest.py relates every test module under its folder.
 */
export async function relatedPythonTests(tree: SourceTree, changed: readonly string[], signal?: AbortSignal): Promise<string[]> {
  const index = moduleIndex(tree.files);
  const importsOf: ImportsOf = (path, text) => pythonImportedNames(path, text).flatMap((name) => index.get(name) ?? []);
  const graph = await buildImportGraph(tree, (path) => PYTHON.test(path), importsOf, signal);
  const sources = changed.filter((path) => PYTHON.test(path) && tree.files.has(path));
  const found = new Set([...importersOf(graph, sources)].filter((path) => PY_TEST_MODULE.test(basenameOf(path))));
  const tests = [...tree.files].filter((path) => PY_TEST_MODULE.test(basenameOf(path)));
  for (const path of sources) {
    const name = basenameOf(path).replace(/\.py$/, '');
    if (name === 'conftest') {
      const folder = dirnameOf(path);
      for (const test of tests) if (folder === '' || test.startsWith(`${folder}/`)) found.add(test);
    } else {
      for (const test of tests) if (basenameOf(test) === `test_${name}.py` || basenameOf(test) === `${name}_test.py`) found.add(test);
    }
  }
  return [...found].sort();
}
