import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';
import { runUndoRequest } from '../../src/protocol/methods';
import { snapshot, spawnCli, startFake } from '../unit/support/scenarioHarness';
import { gitStatus, makeVerifiedRepo, startVerifySession } from '../unit/support/verifyHarness';

const bom = Buffer.from([0xef, 0xbb, 0xbf]);
const undoReportSchema = z.object({ restored: z.array(z.string()), skipped: z.array(z.object({ path: z.string(), reason: z.string() })) });

test('undo restores every file the run changed to its pre-run bytes (BOM and CRLF included) and keeps a file the user edited since', { timeout: 120000 }, async () => {
  const repo = makeVerifiedRepo('calc');
  const start = snapshot(repo, ['docs/legacy.txt', 'src/calc.js', 'src/format.js']);
  const legacy = start.get('docs/legacy.txt') ?? Buffer.alloc(0);
  // The fixture must really hold a BOM and CRLF line endings (a checkout that normalised it would prove nothing).
  assert.ok(legacy.subarray(0, 3).equals(bom), 'docs/legacy.txt starts with a BOM');
  assert.equal(legacy.toString('latin1').match(/\r\n/g)?.length, 3);
  assert.ok(!legacy.toString('latin1').replace(/\r\n/g, '').includes('\n'));
  const server = await startFake('verified-undo');
  const run = await startVerifySession(repo, server);
  try {
    const { runId } = await run.start('Correct the legacy notes, add square in its own module', 'auto');
    const finished = await run.log.waitFor('run/finished', undefined, 90000);
    assert.equal(finished.status, 'completed', finished.reason);
    assert.deepEqual([...finished.applied].sort(), ['docs/legacy.txt', 'src/calc.js', 'src/square.js']);

    // The run kept the file's encoding and line endings.
    const changed = repo.read('docs/legacy.txt');
    assert.ok(changed.equals(Buffer.concat([bom, Buffer.from('Legacy notes, kept as Windows wrote them.\r\nThe first total is 12.\r\nThe second total is 31.\r\nChecked again by Plumbline.\r\n')])));
    assert.equal(repo.text('src/square.js'), "'use strict';\n\nmodule.exports = { square: (a) => a * a };\n");

    // The user edits one of the files the run wrote.
    appendFileSync(join(repo.root, 'src/calc.js'), '// my own note, written after the run\n');
    const userCalc = repo.read('src/calc.js');

    // The CLI's undo (its own server process, its own session).
    const undone = await spawnCli(['undo', runId, '--cwd', repo.root, '--json'], process.env).done;
    assert.equal(undone.code, 1, `a skipped file makes the exit status 1: ${undone.stderr}`);
    const report = undoReportSchema.parse(JSON.parse(undone.stdout));
    assert.deepEqual([...report.restored].sort(), ['docs/legacy.txt', 'src/square.js']);
    assert.deepEqual(report.skipped.map((entry) => entry.path), ['src/calc.js']);
    assert.match(report.skipped[0]?.reason ?? '', /changed after the run wrote it; your edits are kept/);

    // Byte for byte as before the run; the created file is gone; the user's file is as they left it.
    assert.ok(repo.read('docs/legacy.txt').equals(legacy), 'docs/legacy.txt has its pre-run bytes (BOM, CRLF)');
    assert.ok(!repo.exists('src/square.js'), 'the file the run created is removed');
    assert.ok(repo.read('src/calc.js').equals(userCalc), "the user's edit is kept");
    assert.ok(repo.read('src/format.js').equals(start.get('src/format.js') ?? Buffer.alloc(0)));
    assert.deepEqual(gitStatus(repo).split('\n').filter((line) => line !== ''), [' M src/calc.js']);

    // Undo again (through the server session this time) changes nothing more and still keeps the user's file.
    const again = await run.session.request(runUndoRequest, { runId });
    assert.deepEqual(again.restored, []);
    assert.deepEqual(again.skipped.map((entry) => entry.path), ['src/calc.js']);
    assert.ok(repo.read('src/calc.js').equals(userCalc));
  } finally {
    await run.close();
    await server.close();
    repo.remove();
  }
});
