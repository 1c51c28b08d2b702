import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as z from 'zod';
import { chatCommands, intentOf, runOfHistory } from '../../src/client/chat/chatIntent';
import { runTaskConfirmation, runTaskInputSchema, runTaskResultText, runTaskToolName, runTestsInputSchema, runTestsToolName, testEvidenceText } from '../../src/client/chat/toolText';

const manifest = z
  .object({
    contributes: z.object({
      chatParticipants: z.array(z.object({ id: z.string(), name: z.string(), commands: z.array(z.object({ name: z.string() })) })),
      languageModelTools: z.array(z.object({ name: z.string(), modelDescription: z.string(), inputSchema: z.record(z.string(), z.unknown()) })),
    }),
  })
  .parse(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')));

describe('what a message to @plumbline asks for', () => {
  test('follow-ups about the run are read as such', () => {
    for (const text of ['run it', 'Run the plan', 'ok, run it', 'yes go ahead', 'approve', 'LGTM', 'continue!']) assert.deepEqual(intentOf(undefined, text), { kind: 'approve' }, text);
    for (const text of ['cancel', 'stop', 'please cancel the run', 'abort it.']) assert.deepEqual(intentOf(undefined, text), { kind: 'cancel' }, text);
    for (const text of ['status', "how's it going?", 'where are we']) assert.deepEqual(intentOf(undefined, text), { kind: 'status' }, text);
    for (const text of ['open the review', 'show me the changes', 'review']) assert.deepEqual(intentOf(undefined, text), { kind: 'review' }, text);
    assert.deepEqual(intentOf(undefined, 'why did step 2 fail?'), { kind: 'explain', step: '2' });
    assert.deepEqual(intentOf(undefined, 'Why did s3 fail'), { kind: 'explain', step: 's3' });
    assert.deepEqual(intentOf(undefined, 'why did it fail'), { kind: 'explain', step: undefined });
    assert.deepEqual(intentOf(undefined, 'what went wrong with step rename-api?'), { kind: 'explain', step: 'rename-api' });
  });

  test('anything else is a new task, even when it starts like a follow-up', () => {
    for (const text of ['run the tests after renaming greet to welcome', 'stop using var in src/', 'cancel the subscription when the user logs out', 'why does greet fail on empty names? fix it']) {
      assert.deepEqual(intentOf(undefined, text), { kind: 'task', task: text }, text);
    }
  });

  test('slash commands say it outright', () => {
    assert.deepEqual(intentOf('approve', ''), { kind: 'approve' });
    assert.deepEqual(intentOf('cancel', 'whatever'), { kind: 'cancel' });
    assert.deepEqual(intentOf('why', 'step 2'), { kind: 'explain', step: '2' });
    assert.deepEqual(intentOf('why', ''), { kind: 'explain', step: undefined });
    assert.deepEqual([...chatCommands].sort(), manifest.contributes.chatParticipants[0]?.commands.map((command) => command.name).sort(), 'the manifest lists the commands the parser knows');
  });

  test("the chat's run comes from the newest of the participant's answers, its metadata validated", () => {
    const id = 'plumbline.chat';
    assert.equal(manifest.contributes.chatParticipants[0]?.id, id);
    const history = [
      { participant: id, result: { metadata: { runId: 'run-1', stop: 'approval' } } },
      { participant: id },
      { participant: 'other.participant', result: { metadata: { runId: 'run-9', stop: 'finished' } } },
      { participant: id, result: { metadata: { runId: '../../etc', stop: 'finished' } } },
      { participant: id, result: { metadata: 'nonsense' } },
    ];
    assert.deepEqual(runOfHistory(history, id), { runId: 'run-1', stop: 'approval' });
    assert.deepEqual(runOfHistory([...history, { participant: id, result: { metadata: { runId: 'run-2', stop: 'review' } } }], id), { runId: 'run-2', stop: 'review' });
    assert.equal(runOfHistory([], id), undefined);
  });
});

describe("Plumbline's language model tools", () => {
  const toolsByName = new Map(manifest.contributes.languageModelTools.map((tool) => [tool.name, tool]));

  test("the manifest's input schemas are the ones invocations are validated with", () => {
    for (const [name, schema] of [
      [runTaskToolName, runTaskInputSchema],
      [runTestsToolName, runTestsInputSchema],
    ] as const) {
      const declared = toolsByName.get(name)?.inputSchema;
      assert.ok(declared, `${name} is in package.json`);
      const generated = z.toJSONSchema(schema, { io: 'input' });
      assert.deepEqual(Object.keys((declared.properties ?? {})).sort(), Object.keys((generated.properties ?? {}) as object).sort(), name);
      assert.deepEqual(declared.required ?? [], generated.required ?? [], name);
      assert.equal(declared.additionalProperties, false, `${name} takes nothing else`);
    }
    const task = (toolsByName.get(runTaskToolName)?.inputSchema.properties as { task: { maxLength: number; minLength: number } }).task;
    const generatedTask = (z.toJSONSchema(runTaskInputSchema).properties as { task: { maxLength: number; minLength: number } }).task;
    assert.deepEqual([task.minLength, task.maxLength], [generatedTask.minLength, generatedTask.maxLength]);
  });

  test('bad input gets a clear error', () => {
    assert.equal(runTaskInputSchema.safeParse({ task: '   ' }).success, false);
    assert.equal(runTaskInputSchema.safeParse({ task: 'x', extra: 1 }).success, false);
    assert.equal(runTaskInputSchema.safeParse({ task: 'x'.repeat(8001) }).success, false);
    assert.equal(runTestsInputSchema.safeParse({ command: 'rm -rf /' }).success, false, 'the test command is the user\'s, never the caller\'s');
  });

  test('the confirmation says the task and what the approval mode lets land', () => {
    assert.match(runTaskConfirmation('Rename greet', 'step'), /"Rename greet"[\s\S]*Nothing lands in your files before you review it/);
    assert.match(runTaskConfirmation('Rename greet', 'auto'), /auto: verified changes land/);
  });

  test('the results say where to review, and the evidence is the harness\'s', () => {
    const plan = { runId: 'r1', task: 't', summary: 'Rename greet', status: 'running' as const, notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 }, steps: [{ id: 's1', title: 'Rename', instructions: 'i', files: ['src/greet.js'], dependsOn: [], status: 'done' as const, attempts: [{ number: 1, startedAt: 't', outcome: 'passed' as const }], changedFiles: ['src/greet.js'] }] };
    const review = runTaskResultText({ runId: 'r1', phase: 'reviewing', plan, finished: undefined, awaitingApproval: false, reviewFiles: ['src/greet.js'] }, 'review', '/w/.plumbline/runs/r1/plan.md');
    assert.match(review, /s1 "Rename": verified: its tests passed in the sandbox/);
    assert.match(review, /wait for the user's review in VS Code's editor .*src\/greet\.js\. Nothing has landed/);
    assert.match(review, /\/w\/\.plumbline\/runs\/r1\/plan\.md/);
    const done = runTaskResultText({ runId: 'r1', phase: 'finished', plan, finished: { status: 'completed', summary: 'Renamed.', applied: ['src/greet.js'] }, awaitingApproval: false, reviewFiles: undefined }, 'finished', undefined);
    assert.match(done, /The run completed\.[\s\S]*Landed in the user's files: src\/greet\.js/);
    const evidence = testEvidenceText({ verdict: 'failed', reason: '1 test failed', command: 'npm test', exitCode: 1, passed: 2, failed: 1, durationMs: 1200, excerpt: 'not ok 3 greets', newFailures: ['greets'], preexistingFailures: [], locations: [{ name: 'greets', file: 'test/greet.test.js', line: 4 }] });
    assert.match(evidence, /^Verdict: failed \(1 test failed\)\nCommand: npm test; exit code 1; 1\.2 s; 2 passed, 1 failed/);
    assert.match(evidence, /- greets at test\/greet\.test\.js:4/);
  });
});
