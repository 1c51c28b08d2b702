import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeRunMeta } from '../../src/agent/run/runStore';
import { RunTranscriptFile } from '../../src/server/runTranscriptFile';

test("a past run's transcript.md: the model's words by speaker and what the run did, written when it finishes", async () => {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-transcript-'));
  try {
    const runId = 'r1';
    await writeRunMeta(root, { runId, task: 'Rename foo', status: 'running', createdAt: '', updatedAt: '', costUsd: 0, stepsDone: 0, stepsTotal: 1 });
    const file = new RunTranscriptFile(root, runId);
    assert.equal(file.add({ type: 'run/started', runId, task: 'Rename foo', planPath: '' }), undefined);
    void file.add({ type: 'model/text', runId, role: 'orchestrator', delta: 'Planning ' });
    void file.add({ type: 'model/text', runId, role: 'orchestrator', delta: 'the rename.' });
    void file.add({ type: 'model/text', runId, role: 'worker', stepId: 's1', delta: 'Editing.' });
    void file.add({ type: 'step/finished', runId, stepId: 's1', status: 'done', summary: 'Renamed.', changedFiles: ['src/a.ts'] });
    await file.add({ type: 'run/finished', runId, status: 'completed', summary: 'Completed: 1 of 1 steps done.', applied: ['src/a.ts'], costUsd: 0 });
    const text = readFileSync(join(root, '.plumbline', 'runs', runId, 'transcript.md'), 'utf8');
    assert.equal(
      text,
      '# Transcript of run r1\n\n**Task:** Rename foo\n\n**orchestrator:** Planning the rename.\n\n**s1:** Editing.\n\n✓ s1 done: Renamed. (src/a.ts)\n\n**Run completed.** Completed: 1 of 1 steps done.\n',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
