/**
 * Evidence shows before/after wherever a person reads it: the protocol's wording (used by the CLI
 * and the inline review's hover), the run transcript the sidebar renders, and the sidebar's counts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunTranscript } from '../../src/client/runs/runTranscript';
import type { Plan } from '../../src/protocol/plan';
import { describeBeforeAfter, describeCounts, type TestEvidence } from '../../src/protocol/testEvidence';
import { hostToWebviewSchema } from '../../src/protocol/webviewMessages';
import { testCounts } from '../../src/webview/testCounts';

const compared: TestEvidence = {
  verdict: 'failed',
  reason: '2 tests that passed before the run no longer run: greets, says goodbye.',
  command: 'node --test test/',
  exitCode: 0,
  passed: 1,
  failed: 0,
  total: 1,
  durationMs: 200,
  excerpt: '',
  newFailures: [],
  preexistingFailures: [],
  locations: [],
  baseline: { passed: 2, failed: 0, skipped: 0, total: 2 },
  missingTests: ['greets', 'says goodbye'],
  removedTests: [],
};

test('the protocol words a run compared with the baseline as before → now', () => {
  assert.equal(describeBeforeAfter(compared), 'before 2 passed of 2 → now 1 passed of 1');
  const { baseline: _baseline, ...alone } = compared;
  assert.equal(describeBeforeAfter(alone), '1 passed of 1', 'without a baseline: the counts alone');
  assert.equal(describeBeforeAfter({ baseline: { passed: 3, total: 3 } }), 'before 3 passed of 3 → now no tests shown');
  assert.equal(describeCounts({ total: 4 }), '4 tests');
});

test('the transcript carries the baseline and the missing tests to the sidebar, which shows before → now', () => {
  const plan: Plan = { runId: 'r1', task: 't', summary: 's', status: 'running', notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 }, steps: [] };
  const transcript = new RunTranscript(() => undefined);
  transcript.add({ type: 'verification', runId: 'r1', stepId: 's1', attempt: 1, evidence: compared }, plan);
  const item = transcript.snapshot.items.find((entry) => entry.kind === 'verification');
  assert.ok(item?.kind === 'verification');
  assert.deepEqual([item.before, item.missing, item.removed], [{ passed: 2, failed: 0, total: 2 }, ['greets', 'says goodbye'], []]);
  assert.ok(hostToWebviewSchema.safeParse({ type: 'transcript/append', items: [item] }).success);
  assert.equal(testCounts(item), 'before 2 passed of 2 → now 1 passed of 1');
  assert.deepEqual(transcript.stepEvidence[0]?.before, { passed: 2, failed: 0, total: 2 });
  assert.equal(testCounts({ passed: 2, failed: 1, total: 3 }), '2 passed, 1 failed of 3');
});
