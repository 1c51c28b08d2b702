import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Checkpoint } from '../../src/agent/run/checkpoint';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-checkpoint-'));
  roots.push(root);
  mkdirSync(join(root, 'src'));
  return root;
}

/** What `apply` does around a write: checkpoint before, the write, fingerprint after. */
async function land(checkpoint: Checkpoint, root: string, path: string, bytes: Uint8Array | undefined): Promise<void> {
  await checkpoint.before([{ path, bytes }]);
  if (bytes === undefined) rmSync(join(root, path));
  else writeFileSync(join(root, path), bytes);
}

describe('run checkpoint and undo', () => {
  test('restores modified, created and deleted files to their pre-run bytes exactly', async () => {
    const root = workspace();
    const crlfWithBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('line one\r\nline two\r\n')]);
    writeFileSync(join(root, 'src/a.ts'), crlfWithBom);
    writeFileSync(join(root, 'src/gone.ts'), 'export const gone = 1;\n');
    const checkpoint = new Checkpoint(root, 'run-1');
    await land(checkpoint, root, 'src/a.ts', Buffer.from('rewritten\n'));
    await land(checkpoint, root, 'src/a.ts', Buffer.from('rewritten twice\n'));
    await land(checkpoint, root, 'src/new.ts', Buffer.from('export const fresh = 1;\n'));
    await land(checkpoint, root, 'src/gone.ts', undefined);

    const report = await checkpoint.undo();
    assert.deepEqual([...report.restored].sort(), ['src/a.ts', 'src/gone.ts', 'src/new.ts']);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(readFileSync(join(root, 'src/a.ts')), crlfWithBom, 'byte for byte, BOM and CRLF included');
    assert.equal(readFileSync(join(root, 'src/gone.ts'), 'utf8'), 'export const gone = 1;\n');
    assert.equal(existsSync(join(root, 'src/new.ts')), false);
  });

  test("never overwrites a file the user changed after the run wrote it", async () => {
    const root = workspace();
    writeFileSync(join(root, 'src/a.ts'), 'original\n');
    writeFileSync(join(root, 'src/b.ts'), 'original b\n');
    const checkpoint = new Checkpoint(root, 'run-2');
    await land(checkpoint, root, 'src/a.ts', Buffer.from('by the run\n'));
    await land(checkpoint, root, 'src/b.ts', Buffer.from('by the run b\n'));
    writeFileSync(join(root, 'src/a.ts'), 'by the run\nplus the user\n');

    const report = await checkpoint.undo();
    assert.deepEqual(report.restored, ['src/b.ts']);
    assert.deepEqual(report.skipped.map((entry) => entry.path), ['src/a.ts']);
    assert.match(report.skipped[0]?.reason ?? '', /your edits are kept/);
    assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'by the run\nplus the user\n');
    assert.equal(readFileSync(join(root, 'src/b.ts'), 'utf8'), 'original b\n');
  });

  test('a crash before or right after a write still undoes cleanly', async () => {
    const root = workspace();
    writeFileSync(join(root, 'src/a.ts'), 'before a\n');
    writeFileSync(join(root, 'src/b.ts'), 'before b\n');
    const checkpoint = new Checkpoint(root, 'run-3');
    await checkpoint.before([
      { path: 'src/a.ts', bytes: Buffer.from('new a\n') },
      { path: 'src/b.ts', bytes: Buffer.from('new b\n') },
    ]);
    // The process died after writing a.ts and before writing b.ts.
    writeFileSync(join(root, 'src/a.ts'), 'new a\n');
    const report = await new Checkpoint(root, 'run-3').undo();
    assert.deepEqual(report.restored, ['src/a.ts']);
    assert.deepEqual(report.skipped, [], 'b.ts was never written: nothing to do, nothing to complain about');
    assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'before a\n');
    assert.equal(readFileSync(join(root, 'src/b.ts'), 'utf8'), 'before b\n');
  });
});
