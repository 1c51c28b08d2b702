import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { globMatcher, globToRegExp } from '../../src/agent/workspace/glob';

function check(glob: string, matching: readonly string[], notMatching: readonly string[]): void {
  const matches = globMatcher(glob);
  for (const path of matching) assert.equal(matches(path), true, `${glob} should match ${path}`);
  for (const path of notMatching) assert.equal(matches(path), false, `${glob} should not match ${path}`);
}

describe('glob matching', () => {
  test('* and ? stay within one segment', () => {
    check('src/*.ts', ['src/a.ts', 'src/.hidden.ts'], ['src/a/b.ts', 'a.ts', 'src/a.tsx']);
    check('src/?.ts', ['src/a.ts'], ['src/ab.ts', 'src/.ts']);
    check('src/a?c', ['src/abc'], ['src/a/c']);
  });

  test('** spans any number of folders, including none', () => {
    check('src/**/*.ts', ['src/a.ts', 'src/x/a.ts', 'src/x/y/z/a.ts'], ['lib/a.ts', 'src/a.js', 'srcx/a.ts']);
    check('**/test/*.ts', ['test/a.ts', 'pkg/test/a.ts'], ['pkg/tests/a.ts']);
    check('docs/**', ['docs/a.md', 'docs/x/y.md'], ['docs', 'doc/a.md']);
    check('a**b/x', ['ab/x', 'azzb/x'], ['a/b/x']);
  });

  test('a glob without a slash matches the file name at any depth', () => {
    check('*.ts', ['a.ts', 'src/deep/a.ts'], ['a.tsx', 'src/a.js']);
    check('README.md', ['README.md', 'docs/README.md'], ['README.mdx']);
  });

  test('leading ./ or / anchors at the root; a trailing / means everything under the folder', () => {
    check('./src/*.ts', ['src/a.ts'], ['lib/src/a.ts']);
    check('/src/*.ts', ['src/a.ts'], []);
    check('src/', ['src/a.ts', 'src/x/b.ts'], ['srcs/a.ts']);
  });

  test('braces, nested braces and globs inside braces', () => {
    check('src/*.{ts,tsx}', ['src/a.ts', 'src/a.tsx'], ['src/a.js']);
    check('{src,test}/**/*.ts', ['src/a.ts', 'test/x/b.ts'], ['lib/a.ts']);
    check('a.{j{s,son},md}', ['a.js', 'a.json', 'a.md'], ['a.j', 'a.jso']);
    check('{**/*.md,package.json}', ['docs/a.md', 'package.json'], ['src/package.json']);
    check('a{b', ['a{b'], ['ab']);
  });

  test('character classes: sets, ranges, negation, never the separator', () => {
    check('file[0-9].txt', ['file1.txt', 'file9.txt'], ['filea.txt', 'file10.txt']);
    check('file[!0-9].txt', ['filea.txt'], ['file1.txt']);
    check('file[^ab].txt', ['filec.txt'], ['filea.txt']);
    check('x/a[!z]b', ['x/acb'], ['x/a/b']);
    check('x/[]]', ['x/]'], ['x/a']);
    check('x/[a-c.]', ['x/b', 'x/.'], ['x/d']);
    check('x/a[b', ['x/a[b'], ['x/ab']);
  });

  test('regex metacharacters are literal and backslash escapes', () => {
    check('a+b(c)|d$.txt', ['a+b(c)|d$.txt'], ['aab(c)|d$.txt']);
    check('x/\\*.txt', ['x/*.txt'], ['x/a.txt']);
    check('x/\\{a,b\\}', ['x/{a,b}'], ['x/a']);
  });

  test('globToRegExp is anchored at both ends', () => {
    const regex = globToRegExp('src/*.ts');
    assert.equal(regex.test('src/a.ts'), true);
    assert.equal(regex.test('x/src/a.ts'), false);
    assert.equal(regex.test('src/a.ts.bak'), false);
  });
});
