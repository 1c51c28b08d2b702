// Related tests for runners that cannot find them themselves (node --test, mocha): the test files
// that import a changed file, directly or through other modules, by a walk of relative imports.
import { basenameOf, buildImportGraph, dirnameOf, importersOf, normalizePath, type ImportsOf } from './importGraph';
import type { SourceTree } from './sourceTree';
import { JS_TEST_NAME, TEST_FOLDER } from './testFileNames';

/** The module files a relative import may name. */
export const JS_SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** `from '…'` (import and export), `import '…'`, `import('…')`, `require('…')`. */
const SPECIFIERS: readonly RegExp[] = [/\bfrom\s*['"]([^'"\n]+)['"]/g, /\bimport\s*\(?\s*['"]([^'"\n]+)['"]/g, /\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g];

/** TypeScript imports name the emitted file (`./a.js` for `a.ts`). */
const EMITTED_AS: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
const EXTENSIONS = ['.js', '.ts', '.tsx', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];

/** The relative specifiers a module's text imports (bare package names are not the project's files). */
export function relativeSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const pattern of SPECIFIERS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier !== undefined && (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..')) found.push(specifier);
    }
  }
  return found;
}

/** The file a relative specifier names, as Node or a TypeScript loader resolves it: the file, an extension, or an index. */
export function resolveSpecifier(importer: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const joined = normalizePath(`${dirnameOf(importer)}/${specifier.split(/[?#]/)[0] ?? ''}`);
  if (joined === undefined) return undefined;
  const candidates = [joined];
  const extension = /\.[cm]?jsx?$/.exec(joined)?.[0];
  if (extension !== undefined) candidates.push(...(EMITTED_AS[extension] ?? []).map((emitted) => joined.slice(0, -extension.length) + emitted));
  candidates.push(...EXTENSIONS.map((ext) => joined + ext), ...EXTENSIONS.map((ext) => `${joined === '' ? '' : `${joined}/`}index${ext}`));
  return candidates.find((candidate) => files.has(candidate));
}

export const jsImports: ImportsOf = (path, text, files) => relativeSpecifiers(text).flatMap((specifier) => resolveSpecifier(path, specifier, files) ?? []);

const GLOB = /[*?{[]/;

/**
 * A script's glob as a pattern over workspace-relative paths: `*` and `?` within one folder, `**`
 * across folders, `{a,b}` alternatives, `[…]` classes; a folder the glob names covers its files.
 */
export function globPattern(glob: string): RegExp {
  let pattern = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else if (char === '{') {
      braces += 1;
      pattern += '(?:';
    } else if (char === '}' && braces > 0) {
      braces -= 1;
      pattern += ')';
    } else if (char === ',' && braces > 0) pattern += '|';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) pattern += '\\[';
      else {
        pattern += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else pattern += char.replace(/[.+^$()|{}\\/]/g, '\\$&');
  }
  return new RegExp(`^${pattern}(?:/.*)?$`);
}


/** The related test files, and how many test files the suite runs in all (the same scope). */
export interface RelatedByImports {
  readonly tests: readonly string[];
  readonly suiteTests: number;
}

/**
 * The test files related to `changed` for node --test or mocha: files named as tests, or files in a
 * test folder that nothing imports (mocha's `test/calc.js`; an imported one is a helper), that
 * import a changed file through any chain of relative imports; under `within` (the folders or files
 * the project's script runs) when it names some. `suiteTests` counts every test file in that scope,
 * so the caller can tell a selection that is most of the suite (not worth a run of its own).
 */
export async function relatedByImports(tree: SourceTree, changed: readonly string[], within: readonly string[], signal?: AbortSignal): Promise<RelatedByImports> {
  const graph = await buildImportGraph(tree, (path) => JS_SOURCE.test(path), jsImports, signal);
  const reached = importersOf(graph, changed.filter((path) => tree.files.has(path)));
  const isTest = (path: string): boolean => JS_SOURCE.test(path) && (JS_TEST_NAME.test(basenameOf(path)) || (TEST_FOLDER.test(path) && !graph.importers.has(path)));
  const inScope = (path: string): boolean => within.length === 0 || within.some((target) => (GLOB.test(target) ? globPattern(target).test(path) : path === target || path.startsWith(`${target.replace(/\/+$/, '')}/`)));
  const suite = [...tree.files].filter((path) => isTest(path) && inScope(path));
  return { tests: suite.filter((path) => reached.has(path)).sort(), suiteTests: suite.length };
}
