import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { fileUriInsideRoot, insideRoot } from '../../src/cli/acp/confinedPaths';
import { EditorFiles, type EditorFileSystem } from '../../src/cli/acp/editorFiles';
import { approvalCall, chosenOption, planChoices, reviewChoices } from '../../src/cli/acp/permissions';
import { maxTaskChars, PromptError, promptToTask } from '../../src/cli/acp/promptTask';
import { RunUpdates } from '../../src/cli/acp/runUpdates';
import type { Plan, PlanStep } from '../../src/protocol/plan';

const scratch = mkdtempSync(join(tmpdir(), 'plumbline-acp-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const root = join(scratch, 'work');
mkdirSync(join(root, 'src'), { recursive: true });

describe('paths from an ACP client stay inside the session folder', () => {
  test('relative and absolute paths inside are kept; .., other folders and NUL are refused', () => {
    assert.equal(insideRoot(root, 'src/a.ts'), join(root, 'src', 'a.ts'));
    assert.equal(insideRoot(root, join(root, 'src', 'a.ts')), join(root, 'src', 'a.ts'));
    for (const path of ['../outside.txt', 'src/../../outside.txt', '/etc/passwd', '', '.', 'src/\0a']) assert.equal(insideRoot(root, path), undefined, path);
  });

  test('only file: URIs of this machine inside the folder', () => {
    assert.equal(fileUriInsideRoot(root, pathToFileURL(join(root, 'src', 'a.ts')).toString()), join(root, 'src', 'a.ts'));
    for (const uri of ['https://example.com/a.ts', 'file://elsewhere/etc/passwd', pathToFileURL('/etc/passwd').toString(), 'file:%']) assert.equal(fileUriInsideRoot(root, uri), undefined, uri);
  });
});

describe('permission answers', () => {
  test('only an option that was offered counts; a cancel, an unknown id or a malformed answer is no', () => {
    assert.equal(chosenOption({ outcome: { outcome: 'selected', optionId: 'approve' } }, planChoices), 'approve');
    assert.equal(chosenOption({ outcome: { outcome: 'cancelled' } }, planChoices), undefined);
    assert.equal(chosenOption({ outcome: { outcome: 'selected', optionId: 'accept-rest' } }, planChoices), undefined);
    assert.equal(chosenOption({ outcome: 'selected', optionId: 'approve' }, planChoices), undefined);
    assert.equal(chosenOption(null, planChoices), undefined);
  });

  test('a shell command is asked as an execute call; a call to an MCP tool as the tool call it is', () => {
    const command = approvalCall({ stepId: 's1', command: 'npm run lint' });
    assert.deepEqual({ title: command.title, kind: command.kind, rawInput: command.rawInput }, { title: 's1: npm run lint', kind: 'execute', rawInput: { command: 'npm run lint' } });
    assert.deepEqual(command.choices.map((choice) => choice.name), ['Run once', 'Deny']);
    const tool = approvalCall({ stepId: 's2', command: 'mcp__tracker__create_issue', tool: { name: 'mcp__tracker__create_issue', arguments: '{"title":"x"}' } });
    assert.deepEqual({ title: tool.title, kind: tool.kind, rawInput: tool.rawInput }, { title: 's2: call mcp__tracker__create_issue', kind: 'other', rawInput: { tool: 'mcp__tracker__create_issue', arguments: '{"title":"x"}' } });
    assert.deepEqual(tool.choices.map((choice) => choice.name), ['Allow this call', 'Deny']);
    // Either way the answers mean the same to the server.
    assert.deepEqual(tool.choices.map((choice) => choice.id), command.choices.map((choice) => choice.id));
  });

  test('the rest of the review is offered only when more files follow', () => {
    assert.deepEqual(reviewChoices(false).map((choice) => choice.id), ['accept', 'reject']);
    assert.deepEqual(reviewChoices(true).map((choice) => choice.id), ['accept', 'accept-rest', 'reject', 'reject-rest']);
  });
});

describe('a prompt as a task', () => {
  const inside = pathToFileURL(join(root, 'src', 'a.ts')).toString();
  test('text, links and embedded files: links inside are mentioned, embedded files inside become buffers, others are data', () => {
    const prompt = promptToTask(root, [
      { type: 'text', text: 'Rename x in' },
      { type: 'resource_link', name: 'a.ts', uri: inside },
      { type: 'resource_link', name: 'passwd', uri: 'file:///etc/passwd' },
      { type: 'resource', resource: { uri: pathToFileURL(join(root, 'src', 'b.ts')).toString(), text: 'unsaved b' } },
      { type: 'resource', resource: { uri: 'zed://selection', text: 'const x = 1;' } },
    ]);
    assert.match(prompt.task, /^Rename x in @src\/a\.ts \(passwd: file:\/\/\/etc\/passwd\) @src\/b\.ts/);
    assert.match(prompt.task, /<context uri="zed:\/\/selection">\nconst x = 1;\n<\/context>/);
    assert.deepEqual(prompt.mentioned, ['src/a.ts']);
    assert.deepEqual([...prompt.embedded], [[join(root, 'src', 'b.ts'), 'unsaved b']]);
  });

  test('an empty or oversized prompt is refused with a reason', () => {
    assert.throws(() => promptToTask(root, [{ type: 'text', text: '  ' }]), PromptError);
    assert.throws(() => promptToTask(root, [{ type: 'text', text: 'x'.repeat(maxTaskChars + 1) }]), /at most 50000/);
  });
});

function step(id: string, status: PlanStep['status'], extra: Partial<PlanStep> = {}): PlanStep {
  return { id, title: `Step ${id}`, instructions: 'do it', files: [], dependsOn: [], status, attempts: [], changedFiles: [], ...extra };
}

function plan(steps: PlanStep[]): Plan {
  return { runId: 'r1', task: 't', summary: 's', status: 'running', steps, notes: [], cost: { usd: 0, unpricedCalls: 0 }, revision: 1 };
}

describe('run events as session updates', () => {
  test('the plan: one entry per step, statuses mapped, what others wait for first, unchanged plans not repeated', () => {
    const updates = new RunUpdates(root);
    const first = updates.translate({ type: 'plan/updated', runId: 'r1', markdown: '', plan: plan([step('s1', 'running'), step('s2', 'pending', { dependsOn: ['s1'], route: 'fast' }), step('s3', 'failed')]) });
    assert.deepEqual(first, [
      {
        sessionUpdate: 'plan',
        entries: [
          { content: 's1: Step s1', priority: 'high', status: 'in_progress' },
          { content: 's2: Step s2', priority: 'low', status: 'pending' },
          { content: 's3: Step s3 (failed)', priority: 'medium', status: 'completed' },
        ],
      },
    ]);
    assert.deepEqual(updates.translate({ type: 'plan/updated', runId: 'r1', markdown: '', plan: { ...plan([step('s1', 'running'), step('s2', 'pending', { dependsOn: ['s1'], route: 'fast' }), step('s3', 'failed')]), revision: 2 } }), []);
  });

  test('a tool call names its file only when the path stays inside the folder', () => {
    const updates = new RunUpdates(root);
    const [read] = updates.translate({ type: 'tool/result', runId: 'r1', role: 'worker', stepId: 's1', tool: 'read_file', ok: true, detail: 'text', path: 'src/a.ts' });
    assert.ok(read?.sessionUpdate === 'tool_call');
    assert.deepEqual([read.kind, read.status, read.locations], ['read', 'completed', [{ path: join(root, 'src', 'a.ts') }]]);
    const [escape] = updates.translate({ type: 'tool/result', runId: 'r1', role: 'worker', stepId: 's1', tool: 'edit_file', ok: false, detail: 'refused', path: '../../etc/passwd' });
    assert.ok(escape?.sessionUpdate === 'tool_call');
    assert.deepEqual([escape.kind, escape.status, escape.locations], ['edit', 'failed', []]);
  });

  test("a changed file is one edit tool call: proposed with its hunks, then applied, rejected, or given up when the run ends", () => {
    const updates = new RunUpdates(root);
    const hunk = { id: 'h1', oldStart: 1, oldLines: 1, newStart: 1, newLines: 2, lines: [{ kind: 'add' as const, text: '// warm', eol: '\n' as const }, { kind: 'context' as const, text: 'x', eol: '\n' as const }] };
    const files = [
      { path: 'src/a.ts', kind: 'modify' as const, hunks: [hunk], stepIds: ['s1'] },
      { path: 'src/b.ts', kind: 'modify' as const, hunks: [hunk], stepIds: ['s1'] },
      { path: 'src/c.ts', kind: 'create' as const, hunks: [hunk], stepIds: ['s1'] },
    ];
    const proposed = updates.translate({ type: 'changes', runId: 'r1', files });
    assert.deepEqual(proposed.map((update) => update.sessionUpdate), ['tool_call', 'tool_call', 'tool_call']);
    const [first] = proposed;
    assert.ok(first?.sessionUpdate === 'tool_call');
    assert.deepEqual(first.content, [{ type: 'diff', path: join(root, 'src', 'a.ts'), oldText: 'x\n', newText: '// warm\nx\n' }]);
    assert.equal(first.status, 'pending');
    const decided = updates.translate({ type: 'review/decided', runId: 'r1', applied: [{ path: 'src/a.ts', hunks: 1, of: 1 }], rejected: ['src/b.ts'], conflicts: [] });
    assert.deepEqual(decided.map((update) => (update.sessionUpdate === 'tool_call_update' ? [update.toolCallId, update.status] : [])), [
      [updates.editId('r1', 'src/a.ts'), 'completed'],
      [updates.editId('r1', 'src/b.ts'), 'failed'],
    ]);
    const ended = updates.translate({ type: 'run/finished', runId: 'r1', status: 'completed', summary: 'Done.', applied: ['src/a.ts'], costUsd: 0 });
    assert.deepEqual(ended.map((update) => (update.sessionUpdate === 'tool_call_update' ? [update.toolCallId, update.status] : update.sessionUpdate)), [[updates.editId('r1', 'src/c.ts'), 'failed'], 'agent_message_chunk']);
  });
});

describe('the review of a file', () => {
  const file = { path: 'src/a.ts', kind: 'modify' as const, hunks: [], beforeText: 'old\n', afterText: 'new\n', stepIds: ['s1'] };
  test('announces its tool call when no changes event did, and updates it when one did', () => {
    const fresh = new RunUpdates(root).reviewedEdit('r1', file);
    assert.equal(fresh.update.sessionUpdate, 'tool_call');
    assert.deepEqual(fresh.toolCall, { toolCallId: 'edit-r1-src/a.ts', title: 'Review: change to src/a.ts', kind: 'edit', status: 'pending' });
    const updates = new RunUpdates(root);
    updates.translate({ type: 'changes', runId: 'r1', files: [{ path: 'src/a.ts', kind: 'modify', hunks: [], stepIds: ['s1'] }] });
    const reviewed = updates.reviewedEdit('r1', file).update;
    assert.ok(reviewed.sessionUpdate === 'tool_call_update');
    assert.deepEqual(reviewed.content, [{ type: 'diff', path: join(root, 'src', 'a.ts'), oldText: 'old\n', newText: 'new\n' }]);
  });
});

describe('landing through the editor', () => {
  const documents = { open: () => undefined, change: () => undefined, close: () => undefined };
  const replace = (uri: string, text: string) => ({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }] });

  function editor(onWrite: (path: string, content: string) => void): EditorFileSystem & { writes: string[] } {
    const writes: string[] = [];
    return { canRead: true, canWrite: true, writes, read: () => Promise.resolve({ content: '' }), write: (path, content) => (writes.push(path), onWrite(path, content), Promise.resolve()) };
  }

  test("an editor that only changes its buffer: the accepted bytes still reach the disk", async () => {
    const target = join(root, 'src', 'kept.ts');
    writeFileSync(target, 'old\n');
    const fs = editor(() => undefined);
    const files = new EditorFiles(root, fs, documents, () => undefined);
    assert.deepEqual(await files.applyEdit({ edit: { documentChanges: [replace(pathToFileURL(target).toString(), 'new\r\n')] } }), { applied: true });
    assert.deepEqual(fs.writes, [target]);
    assert.equal(readFileSync(target, 'utf8'), 'new\r\n');
  });

  test('an edit outside the folder, or through a link that leads out, writes nothing', async () => {
    const outside = join(scratch, 'outside.txt');
    writeFileSync(outside, 'mine\n');
    symlinkSync(scratch, join(root, 'link'));
    const fs = editor((path, content) => writeFileSync(path, content));
    const files = new EditorFiles(root, fs, documents, () => undefined);
    for (const uri of [pathToFileURL(outside).toString(), pathToFileURL(join(root, 'link', 'outside.txt')).toString(), pathToFileURL(join(root, '..', 'outside.txt')).toString()]) {
      const result = await files.applyEdit({ edit: { documentChanges: [replace(uri, 'pwned\n')] } });
      assert.equal(result.applied, false, uri);
      assert.match(result.failureReason ?? '', /outside the session's folder/);
    }
    const deleted = await files.applyEdit({ edit: { documentChanges: [{ kind: 'delete', uri: pathToFileURL(outside).toString() }] } });
    assert.equal(deleted.applied, false);
    assert.deepEqual(fs.writes, []);
    assert.equal(readFileSync(outside, 'utf8'), 'mine\n');
  });

  test('a malformed edit or a partial range is refused', async () => {
    const files = new EditorFiles(root, editor(() => undefined), documents, () => undefined);
    assert.equal((await files.applyEdit({ edit: { documentChanges: 'all' } })).applied, false);
    const partial = replace(pathToFileURL(join(root, 'src', 'p.ts')).toString(), 'x');
    partial.edits[0] = { range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, newText: 'x' };
    assert.equal((await files.applyEdit({ edit: { documentChanges: [partial] } })).applied, false);
  });
});
