/**
 * Verification writes nothing into the user's folders: test runs whose tools write caches under
 * node_modules (`node_modules/.cache`, as find-cache-dir users do; `node_modules/.vite`) leave the
 * user's node_modules byte-identical, sandboxed and unsandboxed (`--unsandboxed run`). The caches
 * land in the copy (its node_modules is a folder of links to the user's packages, with its own
 * cache folders) and are swept with it. Sandboxed, the baseline's caches seed the later runs'
 * (verify.warmCache.test.ts): laying them into a copy before each step and emptying them after
 * writes nothing into the user's folders either.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { detectSandbox } from '../../src/agent/sandbox/detectSandbox';
import { ExecutionGate } from '../../src/agent/sandbox/executionGate';
import { isSandbox } from '../../src/agent/sandbox/sandboxTypes';
import { StepVerifier } from '../../src/agent/verify/stepVerifier';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A test that writes caches the way tools do, then passes. */
const CACHING_TEST = `const test = require('node:test');
const assert = require('node:assert/strict');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const pkg = require('pkg');
test('uses pkg and caches', () => {
  for (const folder of ['node_modules/.cache/tool', 'node_modules/.vite/deps']) {
    mkdirSync(join(__dirname, '..', folder), { recursive: true });
    writeFileSync(join(__dirname, '..', folder, 'entry.json'), String(Date.now()));
  }
  assert.equal(pkg(), 42);
});
`;

/** Every entry under `folder` by relative path: its kind and its bytes or link target. */
function fingerprint(folder: string): string {
  const hash = createHash('sha256');
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(folder, relative)).sort()) {
      // git's own folder changes while a copy is registered as its worktree; the files are what count.
      if (relative === '' && name === '.git') continue;
      const path = relative === '' ? name : `${relative}/${name}`;
      const info = lstatSync(join(folder, path));
      if (info.isSymbolicLink()) hash.update(`link ${path} ${readlinkSync(join(folder, path))}\n`);
      else if (info.isDirectory()) {
        hash.update(`dir ${path}\n`);
        walk(path);
      } else hash.update(`file ${path} ${info.mode.toString(8)} ${createHash('sha256').update(readFileSync(join(folder, path))).digest('hex')}\n`);
    }
  };
  walk('');
  return hash.digest('hex');
}

function makeRepo(): { root: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-user-folders-'));
  const root = join(base, 'repo');
  const files: Record<string, string> = {
    '.gitignore': 'node_modules/\n',
    'package.json': JSON.stringify({ name: 'user-folders', private: true, scripts: { test: 'node --test test/' } }),
    'test/cache.test.js': CACHING_TEST,
    'node_modules/pkg/package.json': '{"name":"pkg","main":"index.js"}',
    'node_modules/pkg/index.js': 'module.exports = () => 42;\n',
    'node_modules/.cache/other/kept.json': '{"the user\'s":"cache"}',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  // A package installed as a link, as pnpm installs every one.
  symlinkSync('pkg', join(root, 'node_modules', 'linked'));
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

async function verifyLeavesNodeModulesAlone(gate: ExecutionGate): Promise<void> {
  const repo = makeRepo();
  const before = fingerprint(join(repo.root, 'node_modules'));
  const workspaceBefore = fingerprint(repo.root);
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate, narrowWhenSuiteTakesMs: 0 });
  try {
    const baseline = await verifier.runBaseline();
    assert.equal(baseline.verdict, 'passed', baseline.reason);
    const step = await verifier.verify([{ path: 'test/cache.test.js', kind: 'modify', before: encode(CACHING_TEST), after: encode(`${CACHING_TEST}// touched\n`) }], { stepId: 's1' });
    assert.equal(step.verdict, 'passed', step.reason);
    assert.equal(fingerprint(join(repo.root, 'node_modules')), before, "the user's node_modules changed during verification");
    // A second step starts from the caches the baseline left (sandboxed) and writes them again.
    const again = await verifier.verify([{ path: 'test/cache.test.js', kind: 'modify', before: encode(CACHING_TEST), after: encode(`${CACHING_TEST}// again
`) }], { stepId: 's2' });
    assert.equal(again.verdict, 'passed', again.reason);
    assert.equal(fingerprint(join(repo.root, 'node_modules')), before, "the user's node_modules changed when a step's caches were laid or emptied");
  } finally {
    await verifier.dispose();
    assert.equal(fingerprint(join(repo.root, 'node_modules')), before, "the user's node_modules changed when the copies went");
    assert.equal(fingerprint(repo.root), workspaceBefore, 'the workspace changed during verification');
    repo.remove();
  }
}

test('unsandboxed (--unsandboxed run): caches the tests write stay in the copy; the user\'s node_modules is byte-identical', { timeout: 120_000 }, async () => {
  const gate = new ExecutionGate({ availability: Promise.resolve({ kind: 'none', reason: 'No sandbox in this test.', remedy: 'None needed.' }), preset: 'run' });
  await verifyLeavesNodeModulesAlone(gate);
});

test('sandboxed: the user\'s node_modules is byte-identical', { timeout: 120_000 }, async (context) => {
  const found = await detectSandbox();
  if (!isSandbox(found)) {
    context.skip(`no sandbox here: ${found.reason}`);
    return;
  }
  await verifyLeavesNodeModulesAlone(new ExecutionGate({ availability: Promise.resolve(found) }));
});

/**
 * A step's test that swaps the copy's node_modules (a folder of links the harness made) for a link
 * to the user's: the harness, which runs unconfined, then empties the copy's caches and removes
 * the copy's links, and must do neither through it.
 */
const SWAPPING_TEST = `const test = require('node:test');
const fs = require('node:fs');
const path = require('node:path');
test('uses pkg and caches', () => {
  const modules = path.join(__dirname, '..', 'node_modules');
  const users = path.dirname(fs.readlinkSync(path.join(modules, 'pkg')));
  fs.renameSync(modules, modules + '-mine');
  fs.symlinkSync(users, modules);
});
`;

test('sandboxed: a step that swaps the copy\'s node_modules for a link to the user\'s changes nothing there when the copy is emptied and removed', { timeout: 120_000 }, async (context) => {
  const found = await detectSandbox();
  if (!isSandbox(found)) {
    context.skip(`no sandbox here: ${found.reason}`);
    return;
  }
  const repo = makeRepo();
  const before = fingerprint(join(repo.root, 'node_modules'));
  const verifier = await StepVerifier.create({ root: repo.root, timeoutMs: 60_000, signal: new AbortController().signal, gate: new ExecutionGate({ availability: Promise.resolve(found) }), parallel: 1, narrowWhenSuiteTakesMs: 60_000 });
  try {
    assert.equal((await verifier.runBaseline()).verdict, 'passed');
    const swapped = await verifier.verify([{ path: 'test/cache.test.js', kind: 'modify', before: encode(CACHING_TEST), after: encode(SWAPPING_TEST) }], { stepId: 's1' });
    assert.match(swapped.reason, /node_modules/, 'the swap was not seen');
    assert.equal(fingerprint(join(repo.root, 'node_modules')), before, "the user's node_modules changed after a run swapped the copy's for a link to it");
    // The next step gets a fresh copy, its caches laid from the seed as before.
    const next = await verifier.verify([{ path: 'test/cache.test.js', kind: 'modify', before: encode(CACHING_TEST), after: encode(`${CACHING_TEST}// next\n`) }], { stepId: 's2' });
    assert.equal(next.verdict, 'passed', next.reason);
  } finally {
    await verifier.dispose();
    assert.equal(fingerprint(join(repo.root, 'node_modules')), before, "the user's node_modules changed when the copies went");
    repo.remove();
  }
});
