import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { excerpt, SearchQueryError } from '../../src/agent/workspace/textSearch';

function write(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('searchText on the disk workspace', () => {
  let root: string;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-search-')));
    write(root, {
      'src/a.ts': 'const Alpha = 1;\nfunction alpha() {}\n// ALPHA beta\n',
      'src/b.ts': 'line one\r\nlet value = a.b(c);\r\nlast alpha',
      'src/c.md': 'alpha in markdown\n',
      'bin/tool.bin': Buffer.concat([Buffer.from('alpha'), Buffer.from([0, 1, 2]), Buffer.from('alpha')]),
      'big/huge.txt': `${'x'.repeat(1024 * 1024)}\nalpha\n`,
      'long/min.js': `${'y'.repeat(1000)}alpha${'z'.repeat(1000)}`,
      'node_modules/dep/index.js': 'alpha',
    });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('literal search is case-insensitive by default and reports 1-based lines', async () => {
    const result = await createDiskWorkspace(root).searchText('alpha', { limit: 100, glob: 'src/*.ts' });
    assert.deepEqual(result, {
      matches: [
        { path: 'src/a.ts', line: 1, text: 'const Alpha = 1;' },
        { path: 'src/a.ts', line: 2, text: 'function alpha() {}' },
        { path: 'src/a.ts', line: 3, text: '// ALPHA beta' },
        { path: 'src/b.ts', line: 3, text: 'last alpha' },
      ],
      truncated: false,
    });
  });

  test('caseSensitive narrows; regex characters in a literal query are literal', async () => {
    const workspace = createDiskWorkspace(root);
    const exact = await workspace.searchText('Alpha', { limit: 100, caseSensitive: true });
    assert.deepEqual(exact.matches.map((match) => `${match.path}:${match.line}`), ['src/a.ts:1']);
    const literal = await workspace.searchText('a.b(c)', { limit: 100 });
    assert.deepEqual(literal.matches, [{ path: 'src/b.ts', line: 2, text: 'let value = a.b(c);' }]);
  });

  test('regex search, anchored per line, with flags following caseSensitive', async () => {
    const workspace = createDiskWorkspace(root);
    const anchored = await workspace.searchText('^(function|last) alpha', { limit: 100, regex: true });
    assert.deepEqual(anchored.matches.map((match) => `${match.path}:${match.line}`), ['src/a.ts:2', 'src/b.ts:3']);
    const sensitive = await workspace.searchText('^ALPHA|// [A-Z]+', { limit: 100, regex: true, caseSensitive: true });
    assert.deepEqual(sensitive.matches.map((match) => `${match.path}:${match.line}`), ['src/a.ts:3']);
  });

  test('an invalid regex or an empty query is a SearchQueryError the model can act on', async () => {
    const workspace = createDiskWorkspace(root);
    await assert.rejects(workspace.searchText('foo(', { limit: 10, regex: true }), (error: unknown) => {
      assert.ok(error instanceof SearchQueryError);
      assert.match(error.message, /^foo\( is not a valid JavaScript regular expression .*without regex: true/);
      return true;
    });
    await assert.rejects(workspace.searchText('', { limit: 10 }), SearchQueryError);
    assert.equal((await workspace.searchText('foo(', { limit: 10 })).matches.length, 0);
  });

  test('binary files, files over 1 MB and ignored folders are skipped', async () => {
    const paths = (await createDiskWorkspace(root).searchText('alpha', { limit: 100 })).matches.map((match) => match.path);
    assert.deepEqual([...new Set(paths)], ['long/min.js', 'src/a.ts', 'src/b.ts', 'src/c.md']);
  });

  test('long lines are cut to 300 characters around the match', async () => {
    const [match] = (await createDiskWorkspace(root).searchText('alpha', { limit: 1, glob: 'long/*' })).matches;
    assert.ok(match !== undefined);
    assert.equal(match.text.length, 300);
    assert.match(match.text, /^…y+alphaz+…$/);
    assert.equal(excerpt('short', 0), 'short');
  });

  test('caps matches at the limit and says so', async () => {
    const workspace = createDiskWorkspace(root);
    const capped = await workspace.searchText('alpha', { limit: 2 });
    assert.deepEqual(capped.matches.map((match) => `${match.path}:${match.line}`), ['long/min.js:1', 'src/a.ts:1']);
    assert.equal(capped.truncated, true);
    assert.equal((await workspace.searchText('alpha', { limit: 6, glob: 'src/**' })).truncated, false);
  });

  test('unsaved buffers are searched instead of the disk', async () => {
    const workspace = createDiskWorkspace(root, { buffers: (path) => (path === 'src/c.md' ? 'edited\nnow it says omega\n' : undefined) });
    assert.deepEqual((await workspace.searchText('omega', { limit: 10 })).matches, [{ path: 'src/c.md', line: 2, text: 'now it says omega' }]);
    assert.equal((await workspace.searchText('alpha', { limit: 10, glob: '*.md' })).matches.length, 0);
  });

  test('an unsaved buffer over 1 MB is skipped like a large file', async () => {
    const workspace = createDiskWorkspace(root, { buffers: (path) => (path === 'src/c.md' ? `omega\n${'w'.repeat(1024 * 1024)}` : undefined) });
    assert.deepEqual((await workspace.searchText('omega', { limit: 10 })).matches, []);
  });
});

describe('search speed', () => {
  let root: string;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-speed-')));
    const body = Array.from({ length: 80 }, (_, index) => `export const value${index} = compute(${index}); // some ordinary source text`).join('\n');
    for (let index = 0; index < 2000; index += 1) write(root, { [`pkg${index % 20}/src/file${index}.ts`]: `${body}\n${index === 1999 ? 'needle' : ''}\n` });
    execFileSync('git', ['init', '-q'], { cwd: root });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('2,000 files in a git work tree search in well under a second', async () => {
    const workspace = createDiskWorkspace(root);
    await workspace.searchText('warm-up', { limit: 10 });
    // The best of three, so a busy test machine measures the code rather than the scheduler.
    let fastest = Infinity;
    for (const regex of [false, true, false]) {
      const started = performance.now();
      const result = await workspace.searchText(regex ? '^needle$' : 'needle', { limit: 10, regex });
      fastest = Math.min(fastest, performance.now() - started);
      assert.deepEqual(result.matches.map((match) => `${match.path}:${match.line}`), ['pkg19/src/file1999.ts:81']);
    }
    assert.ok(fastest < 1000, `the fastest search took ${Math.round(fastest)} ms`);
  });
});
