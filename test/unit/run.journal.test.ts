/**
 * The journal's disk policy: every entry is handed to the OS at once (a SIGKILL keeps it), but
 * fsync, which costs milliseconds on every step, is spent only where a power loss would otherwise
 * leave the journal behind the user's files: `sync()` before an apply, and the entries written
 * around one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunJournal, stagedEntry } from '../../src/agent/run/journal';
import { runDir } from '../../src/agent/run/runStore';

test('staged, plan and start entries are written at once but not fsynced; sync() and unstaged/finished entries are', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-journal-'));
  // Count fsyncs on every FileHandle (the journal's own is one of them).
  const probe = await open(join(root, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const original = prototype.sync;
  let syncs = 0;
  prototype.sync = function (this: unknown) {
    syncs++;
    return original.call(this);
  };
  t.after(() => {
    prototype.sync = original;
    rmSync(root, { recursive: true, force: true });
  });

  mkdirSync(runDir(root, 'run-1'), { recursive: true });
  const journal = new RunJournal(root, 'run-1');
  await journal.append({ kind: 'started', at: '2026-11-23T00:00:00.000Z', task: 'task', options: {} });
  await journal.append(stagedEntry('s1', [{ path: 'a.txt', kind: 'modify', before: new Uint8Array([1]), after: new Uint8Array([2]) }]));
  assert.equal(syncs, 0, 'no fsync on the way through a step');
  assert.equal(readFileSync(journal.path, 'utf8').trim().split('\n').length, 2, 'both entries are in the file already');
  await journal.sync();
  assert.equal(syncs, 1, 'sync() before an apply puts everything on the disk');
  await journal.append({ kind: 'unstaged', paths: ['a.txt'] });
  await journal.append({ kind: 'finished', status: 'completed' });
  assert.equal(syncs, 3);
  await journal.close();
  const recovered = await RunJournal.recover(root, 'run-1');
  assert.equal(recovered.finished, true);
  assert.equal(recovered.staged.size, 0, 'the unstaged entry took a.txt out of the staged state');
});
