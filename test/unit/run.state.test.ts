import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Checkpoint } from '../../src/agent/run/checkpoint';
import { writePlanFile, writeRunMeta } from '../../src/agent/run/runStore';
import { listRunsWithUndo, markPlanUndone, undoRun } from '../../src/agent/run/runUndo';
import type { RunMeta } from '../../src/protocol/run';
import { runStateOf } from '../../src/protocol/runState';

const base: RunMeta = { runId: '20261207-100000-abcd', task: 'Rename foo\nmore', status: 'completed', createdAt: '2026-12-07T10:00:00.000Z', updatedAt: '2026-12-07T10:05:00.000Z', costUsd: 0, stepsDone: 2, stepsTotal: 2 };

describe('run state: what a run left in the files, said the same way everywhere', () => {
  test('completed, partly applied, nothing applied, undone, cancelled, failed', () => {
    assert.equal(runStateOf({ ...base, applied: ['a', 'b'], changed: ['a', 'b'] }).label, 'completed');
    const partly = runStateOf({ ...base, applied: ['a'], changed: ['a', 'b'] });
    assert.equal(partly.state, 'partly applied');
    assert.equal(partly.label, 'partly applied (1 of 2 files)');
    assert.equal(runStateOf({ ...base, applied: [], changed: ['a'] }).state, 'not applied');
    const undone = runStateOf({ ...base, applied: ['a'], changed: ['a'], restorable: ['a'], undone: { at: '2026-12-07T11:00:00.000Z', restored: ['a'], kept: [] } });
    assert.equal(undone.state, 'undone');
    assert.equal(undone.label, 'undone (1 file restored)');
    assert.equal(undone.canUndo, false, 'an undone run is not offered for undo again');
    assert.equal(runStateOf({ ...base, status: 'cancelled', applied: ['a'] }).label, 'cancelled after applying 1 file');
    const failedBeforePlanning: RunMeta = { ...base, status: 'failed', stepsDone: 0, stepsTotal: 0, applied: [], restorable: [] };
    assert.equal(runStateOf(failedBeforePlanning).label, 'failed');
    // Records written before the state was kept read as their status.
    assert.equal(runStateOf(base).label, 'completed');
  });

  test('Undo only where something is left to restore; Resume where the run stopped early or was cancelled with work left', () => {
    assert.equal(runStateOf({ ...base, restorable: ['a'] }).canUndo, true);
    assert.equal(runStateOf({ ...base, restorable: [] }).canUndo, false);
    assert.equal(runStateOf(base).canUndo, false, 'not listed with what it would restore: not offered');
    // A run that failed before planning: nothing applied, nothing to restore, no Undo.
    const failedBeforePlanning: RunMeta = { ...base, status: 'failed', stepsTotal: 0, stepsDone: 0, applied: [], restorable: [] };
    assert.equal(runStateOf(failedBeforePlanning).canUndo, false);
    assert.equal(runStateOf({ ...base, status: 'running', restorable: ['a'] }).canUndo, false, 'a run in progress is cancelled first');
    assert.equal(runStateOf({ ...base, status: 'running' }).canResume, true);
    assert.equal(runStateOf({ ...base, status: 'cancelled', resumable: true }).canResume, true);
    assert.equal(runStateOf({ ...base, status: 'cancelled', resumable: false }).canResume, false);
    assert.equal(runStateOf({ ...base, status: 'completed' }).canResume, false);
  });
});

describe('undo of a run: recorded, and not offered twice', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  test('undo marks run.json and plan.md undone; the listing then offers nothing; a second undo says there is nothing left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plumbline-undo-'));
    roots.push(root);
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/a.ts'), 'before\n');
    await writeRunMeta(root, { ...base, applied: ['src/a.ts'], changed: ['src/a.ts'] });
    await writePlanFile(root, base.runId, '# Plan: Rename foo\n\n**Status:** completed · 2/2 steps done · cost $0.0000\n');
    const checkpoint = new Checkpoint(root, base.runId);
    await checkpoint.before([{ path: 'src/a.ts', bytes: Buffer.from('after\n') }]);
    writeFileSync(join(root, 'src/a.ts'), 'after\n');

    const [listed] = await listRunsWithUndo(root);
    assert.deepEqual(listed?.restorable, ['src/a.ts']);
    assert.equal(runStateOf(listed ?? assert.fail()).canUndo, true);

    const report = await undoRun(root, base.runId, () => new Date('2026-12-07T11:00:00.000Z'));
    assert.deepEqual(report.restored, ['src/a.ts']);
    assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'before\n');
    const [after] = await listRunsWithUndo(root);
    assert.deepEqual(after?.undone, { at: '2026-12-07T11:00:00.000Z', restored: ['src/a.ts'], kept: [] });
    assert.equal(runStateOf(after ?? assert.fail()).state, 'undone');
    assert.equal(runStateOf(after ?? assert.fail()).canUndo, false);
    const plan = readFileSync(join(root, '.plumbline', 'runs', base.runId, 'plan.md'), 'utf8');
    assert.match(plan, /^\*\*Status:\*\* undone at 2026-12-07 11:00 UTC \(restored src\/a\.ts\) · before: completed/m);

    const again = await undoRun(root, base.runId);
    assert.deepEqual(again.restored, []);
    assert.match(again.nothingToRestore ?? '', /was already undone \(2026-12-07 11:00 UTC\): there is nothing left to restore/);
  });

  test('plan.md without a status line gets one at the top', () => {
    assert.match(markPlanUndone('# Plan\n', { at: '2026-12-07T11:00:00.000Z', restored: ['a'], kept: ['b'] }), /^\*\*Status:\*\* undone at .*kept your later edits in b\)\n\n# Plan\n$/);
  });
});
