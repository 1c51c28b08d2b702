/**
 * Warm tool caches across a run's test runs, and why a hostile one cannot feed a verdict: the
 * baseline's run on the unmodified tree (the user's own code), sandboxed, seeds the caches; every
 * later run starts from a fresh copy of that seed, and what it writes there is thrown away. The
 * fixture "tool" is a test that records what its cache file held when it started, and writes it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { detectSandbox } from '../../src/agent/sandbox/detectSandbox';
import { ExecutionGate } from '../../src/agent/sandbox/executionGate';
import { isSandbox } from '../../src/agent/sandbox/sandboxTypes';
import { BaselineCache } from '../../src/agent/verify/baselineCache';
import { StepVerifier } from '../../src/agent/verify/stepVerifier';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The tool: reads its cache when it starts, then writes `writes` into it. `expects` is what it must have found. */
function tool(writes: string, expects?: string): string {
  return `const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
// As find-cache-dir (Babel, nyc, AVA) decides: CACHE_DIR when set, else the package's node_modules/.cache.
const folder = process.env.CACHE_DIR ? path.join(process.env.CACHE_DIR, 'tool') : path.join(__dirname, '..', 'node_modules', '.cache', 'tool');
const file = path.join(folder, 'state.txt');
const found = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : 'missing';
test('tool cache', () => {
  assert.notEqual(found, 'poison', 'read a cache that a run of modified code wrote');
  ${expects !== undefined ? `assert.equal(found, ${JSON.stringify(expects)}, 'found ' + found);` : ''}
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(file, ${JSON.stringify(writes)});
});
`;
}

const BASE = tool('seed');
/** A step's test that poisons the cache (and passes). */
const POISONER = tool('poison');
/** A step's test that passes only when it started from the baseline's cache. */
const CHECKER = tool('checked', 'seed');

function change(after: string): StagedChange[] {
  return [{ path: 'test/tool.test.js', kind: 'modify', before: encode(BASE), after: encode(after) }];
}

function makeRepo(extra: Record<string, string> = {}): { root: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-warm-cache-'));
  const root = join(base, 'repo');
  const files: Record<string, string> = {
    '.gitignore': 'node_modules/\n',
    'package.json': JSON.stringify({ name: 'warm-cache', private: true, scripts: { test: 'node --test test/' } }),
    'test/tool.test.js': BASE,
    'node_modules/pkg/package.json': '{"name":"pkg","main":"index.js"}',
    'node_modules/pkg/index.js': 'module.exports = () => 42;\n',
    ...extra,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

async function sandboxGate(context: TestContext): Promise<ExecutionGate | undefined> {
  const found = await detectSandbox();
  if (isSandbox(found)) return new ExecutionGate({ availability: Promise.resolve(found) });
  context.skip(`no sandbox here: ${found.reason}`);
  return undefined;
}

const unsandboxed = (): ExecutionGate => new ExecutionGate({ availability: Promise.resolve({ kind: 'none', reason: 'No sandbox in this test.', remedy: 'None needed.' }), preset: 'run' });

async function withVerifier(gate: ExecutionGate, parallel: number, body: (verifier: StepVerifier, repo: ReturnType<typeof makeRepo>) => Promise<void>): Promise<void> {
  const repo = makeRepo();
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate, parallel, narrowWhenSuiteTakesMs: 60_000 });
  try {
    await body(verifier, repo);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
}

for (const parallel of [1, 2]) {
  test(`sandboxed, ${String(parallel)} cop${parallel === 1 ? 'y' : 'ies'}: every step starts from the baseline's cache, never from one a modified run wrote`, { timeout: 120_000 }, async (context) => {
    const gate = await sandboxGate(context);
    if (gate === undefined) return;
    await withVerifier(gate, parallel, async (verifier) => {
      const baseline = await verifier.runBaseline();
      assert.equal(baseline.verdict, 'passed', baseline.reason);
      // The first step's run reads the seed, then writes poison into its cache.
      const poisoned = await verifier.verify(change(POISONER), { stepId: 's1' });
      assert.equal(poisoned.verdict, 'passed', `${poisoned.reason}\n${poisoned.excerpt}`);
      // The next runs (the same copy with one copy, either copy with two) start from the seed again.
      for (const stepId of ['s2', 's3']) {
        const checked = await verifier.verify(change(CHECKER), { stepId });
        assert.equal(checked.verdict, 'passed', `${stepId}: ${checked.reason}\n${checked.excerpt}`);
      }
    });
  });
}

/**
 * A tool that keys its cache the way ESLint's default strategy does: a file's absolute path and
 * modification time. `expectHit`: it must find its entry for lib/a.js, which no step changes.
 */
function pathKeyedTool(expectHit: boolean, tamper = false): string {
  return `const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const file = path.join(__dirname, '..', 'node_modules', '.cache', 'linter', 'cache.json');
const source = path.join(__dirname, '..', 'lib', 'a.js');
const key = source + '|' + String(fs.statSync(source).mtimeMs);
const found = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).key : 'missing';
test('linter cache', () => {
  ${expectHit ? "assert.equal(found, key, 'no hit: found ' + found + ', wanted ' + key);" : ''}
  ${tamper ? "fs.appendFileSync(path.join(__dirname, '..', 'lib', 'b.js'), '// changed by a test\\n');" : ''}
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ key }));
});
`;
}

test('sandboxed: a new copy (another path on disk) finds the baseline\'s entries for unchanged files, as a tool keyed by path and time would', { timeout: 120_000 }, async (context) => {
  const gate = await sandboxGate(context);
  if (gate === undefined) return;
  const base = pathKeyedTool(false);
  const repo = makeRepo({ 'test/tool.test.js': base, 'lib/a.js': 'module.exports = 1;\n', 'lib/b.js': 'module.exports = 2;\n' });
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate, parallel: 1, narrowWhenSuiteTakesMs: 60_000 });
  const step = (after: string): StagedChange[] => [{ path: 'test/tool.test.js', kind: 'modify', before: encode(base), after: encode(after) }];
  try {
    const baseline = await verifier.runBaseline();
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    // This step's test changes a file that was in the copy: its copy is thrown away, the next is made afresh.
    const tampering = await verifier.verify(step(pathKeyedTool(true, true)), { stepId: 's1' });
    assert.match(tampering.reason, /starts from a fresh copy/, `${tampering.reason}\n${tampering.excerpt}`);
    const fresh = await verifier.verify(step(pathKeyedTool(true)), { stepId: 's2' });
    assert.equal(fresh.verdict, 'passed', `${fresh.reason}\n${fresh.excerpt}`);
  } finally {
    await verifier.dispose();
    repo.remove();
  }
});

test('sandboxed: a baseline on a modified tree (a resumed run restoring files) seeds nothing', { timeout: 120_000 }, async (context) => {
  const gate = await sandboxGate(context);
  if (gate === undefined) return;
  await withVerifier(gate, 1, async (verifier) => {
    const restored: StagedChange[] = [{ path: 'test/tool.test.js', kind: 'modify', before: encode(BASE), after: encode(`${BASE}// restored\n`) }];
    const baseline = await verifier.runBaseline(restored);
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    const checked = await verifier.verify(change(CHECKER), { stepId: 's1' });
    assert.equal(checked.verdict, 'failed', 'a step started from caches a modified tree wrote');
    assert.match(checked.excerpt, /found missing/);
  });
});

test('unsandboxed (--unsandboxed run): nothing is seeded, and no run reads what another wrote', { timeout: 120_000 }, async () => {
  await withVerifier(unsandboxed(), 1, async (verifier, repo) => {
    const baseline = await verifier.runBaseline();
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    const poisoned = await verifier.verify(change(POISONER), { stepId: 's1' });
    assert.equal(poisoned.verdict, 'passed', poisoned.reason);
    const checked = await verifier.verify(change(CHECKER), { stepId: 's2' });
    assert.equal(checked.verdict, 'failed', 'an unconfined run started from a cache');
    assert.match(checked.excerpt, /found missing/);
    assert.equal(existsSync(join(repo.root, 'node_modules', '.cache')), false, "a cache reached the user's node_modules");
  });
});

test('sandboxed: a run that reuses a kept baseline starts its steps from the caches that baseline\'s run left; one kept unsandboxed gives none', { timeout: 120_000 }, async (context) => {
  const gate = await sandboxGate(context);
  if (gate === undefined) return;
  const repo = makeRepo();
  const kept = mkdtempSync(join(tmpdir(), 'plumbline-warm-cache-kept-'));
  const none = (): Promise<void> => Promise.resolve();
  const run = async (runGate: ExecutionGate, steps: (verifier: StepVerifier) => Promise<void>): Promise<string | undefined> => {
    const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate: runGate, parallel: 1, narrowWhenSuiteTakesMs: 60_000, baselineCache: new BaselineCache(kept) });
    try {
      const baseline = await verifier.runBaseline();
      assert.equal(baseline.verdict, 'passed', baseline.reason);
      await steps(verifier);
      return baseline.cachedFrom;
    } finally {
      await verifier.dispose();
    }
  };
  try {
    assert.equal(await run(gate, none), undefined, 'the first run took its own baseline');
    const reused = await run(gate, async (verifier) => {
      const checked = await verifier.verify(change(CHECKER), { stepId: 's1' });
      assert.equal(checked.verdict, 'passed', `${checked.reason}\n${checked.excerpt}`);
    });
    assert.notEqual(reused, undefined, 'the second run did not reuse the baseline');
    // A baseline kept by an unsandboxed run keeps no caches, and a run reusing it starts from none.
    for (const name of readdirSync(kept)) rmSync(join(kept, name), { recursive: true, force: true });
    await run(unsandboxed(), none);
    assert.deepEqual(readdirSync(kept).filter((name) => name.endsWith('.caches')), [], 'an unsandboxed baseline kept caches');
    await run(gate, async (verifier) => {
      const checked = await verifier.verify(change(CHECKER), { stepId: 's1' });
      assert.equal(checked.verdict, 'failed', 'a step started from caches no sandboxed baseline left');
      assert.match(checked.excerpt, /found missing/);
    });
  } finally {
    repo.remove();
    rmSync(kept, { recursive: true, force: true });
  }
});

test('the seed is removed with the copies', { timeout: 120_000 }, async (context) => {
  const gate = await sandboxGate(context);
  if (gate === undefined) return;
  const repo = makeRepo();
  try {
    const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate, parallel: 1 });
    const baseline = await verifier.runBaseline();
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    await verifier.dispose();
    const left = readdirSync(join(tmpdir(), 'plumbline-verify')).filter((name) => name.startsWith(`plumbline-verify-${String(process.pid)}-`));
    assert.deepEqual(left, [], 'a copy or the seed outlived the verifier');
  } finally {
    repo.remove();
  }
});
