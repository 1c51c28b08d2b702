import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunTranscript, type TranscriptChange } from '../../src/client/runs/runTranscript';
import { SidebarOutbox } from '../../src/client/sidebar/sidebarOutbox';
import type { Plan } from '../../src/protocol/plan';
import type { RunEvent } from '../../src/protocol/run';
import type { HostToWebview } from '../../src/protocol/webviewMessages';
import { hostToWebviewSchema } from '../../src/protocol/webviewMessages';

const plan: Plan = {
  runId: 'r1', task: 'Rename', summary: 'Rename greet', status: 'draft', notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 },
  steps: [{ id: 's1', title: 'Rename greet', instructions: 'Do it', files: ['src/greet.js'], dependsOn: [], status: 'pending', attempts: [], changedFiles: [] }],
};
const evidence = { verdict: 'passed' as const, reason: 'The tests pass.', command: 'npm test', exitCode: 0, passed: 2, total: 2, durationMs: 10, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] };

function record(limit?: number): { transcript: RunTranscript; changes: TranscriptChange[] } {
  const changes: TranscriptChange[] = [];
  return { transcript: new RunTranscript((change) => changes.push(change), limit), changes };
}

describe('the run transcript', () => {
  test('turns a run into chat items: task, streamed text, plan, steps, verification, review, summary', () => {
    const { transcript, changes } = record();
    const events: RunEvent[] = [
      { type: 'run/started', runId: 'r1', task: 'Rename greet', planPath: '/p/plan.md' },
      { type: 'model/text', runId: 'r1', role: 'orchestrator', delta: 'Let me ' },
      { type: 'model/text', runId: 'r1', role: 'orchestrator', delta: 'look.' },
      { type: 'model/text', runId: 'r1', role: 'worker', stepId: 's1', delta: 'worker chatter' },
      { type: 'tool/result', runId: 'r1', role: 'orchestrator', tool: 'read_file', ok: true, detail: 'x'.repeat(2000) },
      { type: 'plan/updated', runId: 'r1', plan, markdown: '' },
      { type: 'plan/updated', runId: 'r1', plan: { ...plan, revision: 2 }, markdown: '' },
      { type: 'run/phase', runId: 'r1', phase: 'awaiting_approval' },
      { type: 'step/started', runId: 'r1', stepId: 's1', model: 'fake-model' },
      { type: 'verification', runId: 'r1', stepId: 's1', attempt: 1, evidence },
      { type: 'step/finished', runId: 'r1', stepId: 's1', status: 'done', summary: 'Renamed.', changedFiles: ['src/greet.js'] },
      { type: 'review/decided', runId: 'r1', applied: [{ path: 'src/greet.js', hunks: 1, of: 1 }], rejected: [], conflicts: [] },
      { type: 'run/finished', runId: 'r1', status: 'completed', summary: 'Completed: 1 of 1 steps done.', applied: ['src/greet.js'], costUsd: 0.01 },
    ];
    for (const event of events) {
      transcript.add(event, plan);
      // The controller says the plan waits only when it is put to the user (not with reviewPlan off).
      if (event.type === 'run/phase' && event.phase === 'awaiting_approval') transcript.planWaiting(event.runId);
    }
    const { items } = transcript.snapshot;
    assert.deepEqual(items.map((item) => item.kind), ['task', 'text', 'tool', 'plan', 'notice', 'step', 'verification', 'step', 'review', 'finished']);
    assert.equal(items[1]?.kind === 'text' && items[1].text, 'Let me look.', 'deltas join one text item');
    assert.ok(items[2]?.kind === 'tool' && items[2].detail.length <= 500, 'tool output is clipped');
    assert.ok(items[5]?.kind === 'step' && items[5].title === 'Rename greet', 'steps carry their title');
    assert.deepEqual(transcript.stepEvidence, [{ stepId: 's1', attempt: 1, verdict: 'passed', reason: 'The tests pass.', passed: 2, failed: null, total: 2 }]);
    assert.deepEqual(changes.filter((change) => change.kind === 'text'), [{ kind: 'text', id: items[1]?.id, delta: 'look.' }], 'a delta is reported as a delta');
    assert.equal(new Set(items.map((item) => item.id)).size, items.length, 'ids are unique');
    for (const item of items) assert.ok(hostToWebviewSchema.safeParse({ type: 'transcript/append', items: [item] }).success, item.kind);
  });

  test('the finished line carries the run\'s tokens, so an unpriced model shows tokens rather than $0', async () => {
    const { transcript } = record();
    const usage = { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 0, cacheWriteTokens: 0 };
    for (const event of [
      { type: 'run/started', runId: 'r1', task: 'Rename greet', planPath: '/p/plan.md' },
      { type: 'usage', runId: 'r1', role: 'orchestrator', model: 'local', costUsd: null, run: { calls: 1, usage, costUsd: 0, unpricedCalls: 1 } },
      { type: 'run/finished', runId: 'r1', status: 'completed', summary: 'Done.', applied: [], costUsd: 0 },
    ] satisfies RunEvent[]) transcript.add(event, undefined);
    const finished = transcript.snapshot.items.at(-1);
    assert.equal(finished?.kind, 'finished');
    assert.deepEqual(finished?.kind === 'finished' ? finished.cost : undefined, { usd: 0, unpricedCalls: 1, tokens: 1500 });
    const { describeCost } = await import('../../src/protocol/cost');
    assert.equal(describeCost({ usd: 0, unpricedCalls: 1, tokens: 1500 }), '1.5k tokens (unpriced)');
  });

  test("each of the orchestrator's model calls is its own message: one turn's words never run into the next's", () => {
    const { transcript } = record();
    const totals = { calls: 1, usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, unpricedCalls: 1 };
    transcript.add({ type: 'run/started', runId: 'r1', task: 'Rename', planPath: '/p' }, plan);
    transcript.add({ type: 'model/text', runId: 'r1', role: 'orchestrator', delta: 'The steps are complete.' }, plan);
    transcript.add({ type: 'usage', runId: 'r1', role: 'orchestrator', model: 'm', costUsd: null, run: totals }, plan);
    transcript.add({ type: 'model/text', runId: 'r1', role: 'orchestrator', delta: 'All planned steps…' }, plan);
    const texts = transcript.snapshot.items.filter((item) => item.kind === 'text').map((item) => (item.kind === 'text' ? item.text : ''));
    assert.deepEqual(texts, ['The steps are complete.', 'All planned steps…']);
  });

  test('a file that runs code is announced as a warning, one per file', () => {
    const { transcript } = record();
    const file = { kind: 'modify' as const, hunks: [], stepIds: ['s1'] };
    transcript.add({ type: 'run/started', runId: 'r1', task: 'Settings', planPath: '/p/plan.md' }, plan);
    transcript.add({ type: 'changes', runId: 'r1', files: [{ ...file, path: 'src/x.js' }, { ...file, path: '.vscode/settings.json', protectedReason: 'VS Code workspace configuration' }] }, plan);
    const notices = transcript.snapshot.items.filter((item) => item.kind === 'notice');
    assert.deepEqual(
      notices.map((item) => item.kind === 'notice' && [item.level, item.text]),
      [
        ['info', 'Changes ready for 2 files: src/x.js, .vscode/settings.json'],
        ['warning', '⚠ Runs code: .vscode/settings.json — needs your approval (VS Code workspace configuration).'],
      ],
    );
  });

  test('a new run resets the transcript; the same run does not', () => {
    const { transcript, changes } = record();
    transcript.begin('r1', 'First');
    transcript.begin('r1', 'First');
    transcript.add({ type: 'run/started', runId: 'r2', task: 'Second', planPath: '/p' }, undefined);
    assert.deepEqual(changes.map((change) => change.kind), ['reset', 'reset']);
    assert.deepEqual(transcript.snapshot.items.map((item) => item.kind === 'task' && item.text), ['Second']);
  });

  test('is bounded: the oldest items drop off and are counted', () => {
    const { transcript } = record(5);
    transcript.begin('r1', 'Task');
    for (let i = 0; i < 10; i++) transcript.add({ type: 'tool/result', runId: 'r1', role: 'orchestrator', tool: `t${i}`, ok: true, detail: '' }, undefined);
    const snapshot = transcript.snapshot;
    assert.equal(snapshot.items.length, 5);
    assert.equal(snapshot.dropped, 6);
    assert.ok(snapshot.items[4]?.kind === 'tool' && snapshot.items[4].tool === 't9');
  });
});

describe('the sidebar outbox', () => {
  test('joins text deltas and appends, keeps only the newest run state, and keeps order otherwise', async () => {
    const sent: HostToWebview[] = [];
    const outbox = new SidebarOutbox((message) => sent.push(message), 1);
    outbox.push({ type: 'transcript/append', items: [{ kind: 'text', id: 1, text: 'a' }] });
    outbox.push({ type: 'transcript/append', items: [{ kind: 'task', id: 2, text: 'b' }] });
    outbox.push({ type: 'run/state', run: null });
    for (const delta of ['He', 'll', 'o']) outbox.push({ type: 'transcript/text', id: 1, delta });
    outbox.push({ type: 'run/state', run: null });
    outbox.push({ type: 'response', id: 1, ok: true });
    assert.equal(sent.length, 0, 'nothing is sent at once');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(sent.map((message) => message.type), ['transcript/append', 'transcript/text', 'run/state', 'response']);
    assert.deepEqual(sent[1], { type: 'transcript/text', id: 1, delta: 'Hello' });
    const first = sent[0];
    assert.equal(first?.type === 'transcript/append' ? first.items.length : 0, 2);
  });

  test('a transcript reset drops queued transcript changes; clear drops everything', () => {
    const sent: HostToWebview[] = [];
    const outbox = new SidebarOutbox((message) => sent.push(message), 1000);
    outbox.push({ type: 'transcript/text', id: 1, delta: 'x' });
    outbox.push({ type: 'history', runs: [] });
    outbox.push({ type: 'transcript/reset', transcript: { runId: 'r2', items: [], dropped: 0 } });
    assert.deepEqual(outbox.pending.map((message) => message.type), ['history', 'transcript/reset']);
    outbox.clear();
    outbox.flush();
    assert.deepEqual(sent, []);
  });
});
