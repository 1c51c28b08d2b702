/**
 * The baseline a resumed run takes: files the run had already landed get their pre-run bytes back
 * in the copy, for the baseline only, so a failure the run caused never counts as one that was
 * there before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StepVerifier } from '../../src/agent/verify/stepVerifier';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

test('runBaseline(restore) tests the pre-run bytes of landed files; the next verification sees the landed bytes again', async () => {
  const base = mkdtempSync(join(tmpdir(), 'plumbline-baseline-'));
  const root = join(base, 'repo');
  try {
    mkdirSync(root);
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'Test');
    // The "test suite" fails when value.txt says "landed": what the run wrote before the server died.
    // It reports in TAP: a run whose output shows no test proves nothing.
    writeFileSync(join(root, 'value.txt'), 'before\n');
    writeFileSync(
      join(root, 'check.js'),
      "const ok = require('fs').readFileSync('value.txt', 'utf8') !== 'landed\\n';\nconsole.log(`TAP version 13\\n${ok ? 'ok' : 'not ok'} 1 - value\\n1..1`);\nprocess.exit(ok ? 0 : 1);\n",
    );
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    writeFileSync(join(root, 'value.txt'), 'landed\n');

    const verifier = await StepVerifier.create({ root, command: 'node check.js', timeoutMs: 30_000, signal: new AbortController().signal });
    try {
      const restored = await verifier.runBaseline([{ path: 'value.txt', kind: 'modify', before: encode('landed\n'), after: encode('before\n') }]);
      assert.equal(restored.verdict, 'passed', 'the baseline saw the pre-run bytes');
      assert.equal(restored.exitCode, 0);
      const next = await verifier.verify([]);
      assert.equal(next.exitCode, 1, 'the restore was for the baseline only: the copy holds the landed bytes again');
    } finally {
      await verifier.dispose();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
