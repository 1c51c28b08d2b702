/**
 * Baselines kept between runs: a second run on the same tree, command and lock files reuses the
 * first one's baseline; anything else that differs runs the suite again; and a cache file that was
 * tampered with, is stale or names another key is ignored (and removed), never trusted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BaselineCache, defaultBaselineCacheDir } from '../../src/agent/verify/baselineCache';
import { StepVerifier } from '../../src/agent/verify/stepVerifier';
import type { TestEvidence } from '../../src/protocol/testEvidence';

const files: Record<string, string> = {
  '.gitignore': 'node_modules/\n',
  'package-lock.json': '{"lockfileVersion":3}\n',
  'test/math.test.js': "const test = require('node:test');\nconst assert = require('node:assert/strict');\ntest('adds', () => assert.equal(1 + 1, 2));\ntest('fails before the run', () => assert.equal(1, 2));\n",
  'node_modules/.package-lock.json': '{"installed":1}\n',
};

interface Fixture {
  readonly root: string;
  readonly cacheDir: string;
  write(path: string, text: string): void;
  baseline(options?: { command?: string; buffers?: ReadonlyMap<string, string> }): Promise<TestEvidence>;
  cacheFiles(): string[];
  remove(): void;
}

function fixture(): Fixture {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-baseline-cache-'));
  const root = join(base, 'repo');
  const cacheDir = join(base, 'cache', 'baselines');
  mkdirSync(root);
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return {
    root,
    cacheDir,
    write,
    baseline: async (options = {}) => {
      const verifier = await StepVerifier.create({
        root,
        command: options.command ?? 'node --test test/',
        timeoutMs: 60_000,
        signal: new AbortController().signal,
        baselineCache: new BaselineCache(cacheDir),
        ...(options.buffers !== undefined ? { buffers: options.buffers } : {}),
      });
      try {
        return await verifier.runBaseline();
      } finally {
        await verifier.dispose();
      }
    },
    // The baselines (tools' caches a baseline left may be kept beside them: verify.warmCache.test.ts).
    cacheFiles: () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((name) => name.endsWith('.json')).map((name) => join(cacheDir, name)) : []),
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

test('a second run on the same tree reuses the baseline; a changed file, untracked file, buffer, command or lock file does not', { timeout: 240_000 }, async () => {
  const repo = fixture();
  try {
    const first = await repo.baseline();
    assert.equal(first.cachedFrom, undefined, 'the first baseline runs');
    assert.deepEqual(first.preexistingFailures, ['fails before the run']);
    assert.equal(repo.cacheFiles().length, 1, 'and is kept');
    const again = await repo.baseline();
    assert.equal(again.cachedFrom !== undefined && Date.parse(again.cachedFrom) > 0, true, 'the same tree reuses it');
    assert.deepEqual(again.preexistingFailures, first.preexistingFailures);
    assert.equal(again.verdict, first.verdict);

    assert.equal((await repo.baseline({ command: 'node --test test/math.test.js' })).cachedFrom, undefined, 'another command runs the suite');
    assert.equal((await repo.baseline({ buffers: new Map([['test/extra.test.js', "require('node:test')('x', () => {});\n"]]) })).cachedFrom, undefined, 'an unsaved buffer is part of the tree');
    repo.write('node_modules/.package-lock.json', '{"installed":2}\n');
    assert.equal((await repo.baseline()).cachedFrom, undefined, 'other installed dependencies run the suite');
    assert.notEqual((await repo.baseline()).cachedFrom, undefined, 'and are then kept for their own key');
    repo.write('notes.txt', 'untracked, not ignored\n');
    assert.equal((await repo.baseline()).cachedFrom, undefined, 'an untracked file is part of the tree');
    repo.write('package-lock.json', '{"lockfileVersion":3,"changed":true}\n');
    assert.equal((await repo.baseline()).cachedFrom, undefined, 'a changed lock file runs the suite');
  } finally {
    repo.remove();
  }
});

test('a tampered, stale or misnamed cache file is ignored and removed: a planted baseline never hides a failure', { timeout: 240_000 }, async () => {
  const repo = fixture();
  try {
    await repo.baseline();
    const [file] = repo.cacheFiles();
    assert.ok(file !== undefined);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { summary: { failures: { name: string }[] }; evidence: TestEvidence };
    const plant = (entry: unknown): void => writeFileSync(file, typeof entry === 'string' ? entry : JSON.stringify(entry));
    const planted = { ...kept, summary: { ...kept.summary, failures: [...kept.summary.failures, { name: 'adds' }] } };
    const cases: [string, unknown][] = [
      ['not JSON', '{"version":1,'],
      ['an unknown field', { ...planted, trusted: true }],
      ['another key inside', { ...planted, key: '0'.repeat(64) }],
      ['another command', { ...planted, command: 'true' }],
      ['older than a day', { ...planted, createdAt: new Date(Date.now() - 25 * 3600_000).toISOString() }],
      ['dated in the future', { ...planted, createdAt: new Date(Date.now() + 3600_000).toISOString() }],
      ['a wrong type', { ...planted, exitCode: 'zero' }],
    ];
    for (const [what, entry] of cases) {
      plant(entry);
      const evidence = await repo.baseline();
      assert.equal(evidence.cachedFrom, undefined, `${what}: the suite ran again`);
      assert.deepEqual(evidence.preexistingFailures, ['fails before the run'], `${what}: the planted failure is not believed`);
    }
  } finally {
    repo.remove();
  }
});

test('the cache lives in the user\'s cache folder, outside any workspace', () => {
  assert.equal(defaultBaselineCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache/plumbline/baselines');
  assert.equal(defaultBaselineCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.cache/plumbline/baselines');
  assert.equal(defaultBaselineCacheDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/plumbline/baselines');
});
