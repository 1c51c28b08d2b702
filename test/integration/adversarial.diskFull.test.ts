/**
 * A full disk (ENOSPC) while approved changes land, and while Undo restores them: at the temporary
 * file's write, its fsync or its rename, of the first, second or last file. Every file must end
 * either fully old or fully new, no temporary file may be left behind, the error must say what
 * happened and what to do, and the checkpoint must still undo what landed.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { Checkpoint } from '../../src/agent/run/checkpoint';
import { ApplyInterruptedError, diskWriter, sweepTemporaries, type FileWriter } from '../../src/agent/workspace/atomicWrite';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';
import { applyToDisk } from '../../src/server/applyChanges';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const bom = Buffer.from([0xef, 0xbb, 0xbf]);

/** A workspace with three files: one CRLF with a BOM, one executable, one to be deleted. */
function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-diskfull-'));
  roots.push(root);
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'a.txt'), Buffer.concat([bom, Buffer.from('old a\r\n')]));
  writeFileSync(join(root, 'src', 'run.sh'), '#!/bin/sh\necho old\n');
  chmodSync(join(root, 'src', 'run.sh'), 0o755);
  writeFileSync(join(root, 'src', 'gone.txt'), 'old gone\n');
  return root;
}

const changes: readonly StagedChange[] = [
  { path: 'src/a.txt', kind: 'modify', before: new Uint8Array(Buffer.concat([bom, Buffer.from('old a\r\n')])), after: new Uint8Array(Buffer.concat([bom, Buffer.from('new a\r\n')])) },
  { path: 'src/new.txt', kind: 'create', before: undefined, after: bytes('new file\n') },
  { path: 'src/run.sh', kind: 'modify', before: bytes('#!/bin/sh\necho old\n'), after: bytes('#!/bin/sh\necho new\n') },
];

/** Every file under the root (relative path → bytes). */
function tree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return files;
}

type Stage = 'write' | 'fsync' | 'rename';

/** The disk writer, except that the `nth` (1-based) operation of `stage` fails with ENOSPC. */
function fullDiskAt(stage: Stage, nth: number): FileWriter & { readonly failed: () => boolean } {
  let count = 0;
  let failed = false;
  const trip = (at: Stage): void => {
    if (at !== stage) return;
    count += 1;
    if (count !== nth) return;
    failed = true;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
  };
  return {
    ...diskWriter,
    failed: () => failed,
    async writeNew(path, content, mode) {
      // A real full disk fails after creating the file and writing part of it.
      if (stage === 'write' && count + 1 === nth) writeFileSync(path, Buffer.from(content).subarray(0, 3));
      trip('write');
      await diskWriter.writeNew(path, content, mode);
    },
    async sync(path) {
      trip('fsync');
      await diskWriter.sync(path);
    },
    async rename(from, to) {
      trip('rename');
      await diskWriter.rename(from, to);
    },
  };
}

function assertOldOrNew(root: string, expectLanded: number): void {
  const files = tree(root);
  assert.deepEqual([...files.keys()].filter((path) => path.endsWith('.tmp')), [], 'no temporary file is left behind');
  changes.forEach((change, index) => {
    const current = files.get(change.path);
    const expected = index < expectLanded ? change.after : change.before;
    assert.ok(expected === undefined ? current === undefined : current?.equals(Buffer.from(expected)), `${change.path} is fully ${index < expectLanded ? 'new' : 'old'}`);
  });
}

describe('disk full (ENOSPC) during apply and undo', () => {
  for (const stage of ['write', 'fsync', 'rename'] as const) {
    for (const nth of [1, 2, 3]) {
      test(`ENOSPC at the ${stage} of file ${nth} of 3: each file fully old or fully new, no .tmp left, the error names what landed`, async () => {
        const root = workspace();
        const writer = fullDiskAt(stage, nth);
        await assert.rejects(applyToDisk(root, changes, writer), (error: unknown) => {
          assert.ok(error instanceof ApplyInterruptedError);
          assert.equal(error.failedPath, changes[nth - 1]?.path);
          assert.deepEqual(error.landed, changes.slice(0, nth - 1).map((change) => change.path));
          assert.match(error.message, new RegExp(`^Applying the changes stopped at ${changes[nth - 1]?.path ?? ''}: the disk is full \\(ENOSPC\\)\\. ${nth - 1} of 3 file\\(s\\) were written`));
          assert.match(error.message, /Every file is either as it was or fully updated, never half-written\.$/);
          return true;
        });
        assert.ok(writer.failed());
        assertOldOrNew(root, nth - 1);
      });
    }
  }

  test('a temporary file left by a process killed between write and rename is swept on resume; other files are not', async () => {
    const root = workspace();
    writeFileSync(join(root, 'src', 'a.txt.plumbline-0badc0de.tmp'), 'half');
    writeFileSync(join(root, 'src', 'a.txt.plumbline-notmine.tmp'), 'not ours');
    writeFileSync(join(root, 'src', 'b.txt.plumbline-0badc0de.tmp'), 'another file');
    const removed = await sweepTemporaries([join(root, 'src', 'a.txt'), join(root, 'missing', 'x.txt')]);
    assert.deepEqual(removed, [join(root, 'src', 'a.txt.plumbline-0badc0de.tmp')]);
    assert.deepEqual([...tree(root).keys()].filter((path) => path.endsWith('.tmp')).sort(), [join('src', 'a.txt.plumbline-notmine.tmp'), join('src', 'b.txt.plumbline-0badc0de.tmp')]);
  });

  test('a file rewritten by apply keeps its permission bits, and its BOM and CRLF byte for byte', async () => {
    const root = workspace();
    await applyToDisk(root, changes);
    assertOldOrNew(root, 3);
    assert.equal(statSync(join(root, 'src', 'run.sh')).mode & 0o777, 0o755, 'still executable');
  });

  test('the checkpoint undoes what landed before the disk filled up; ENOSPC during undo leaves each file old or restored', async () => {
    const root = workspace();
    const checkpoint = new Checkpoint(root, 'run-diskfull');
    await checkpoint.before(changes.map((change) => ({ path: change.path, bytes: change.after })));
    await assert.rejects(applyToDisk(root, changes, fullDiskAt('rename', 2)), ApplyInterruptedError);
    assertOldOrNew(root, 1);

    // Undo with the disk still full at the first restore: nothing is half-restored, no temp is left.
    const stuck = new Checkpoint(root, 'run-diskfull', fullDiskAt('write', 1));
    await assert.rejects(stuck.undo(), /ENOSPC/);
    assertOldOrNew(root, 1);

    // Space freed: undo restores the landed file to its pre-run bytes and leaves the others alone.
    const report = await checkpoint.undo();
    assert.deepEqual(report, { restored: ['src/a.txt'], skipped: [] });
    assertOldOrNew(root, 0);
  });
});
