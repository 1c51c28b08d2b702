import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { addNote, createPlan, setStatus } from '../../src/agent/plan/planState';
import { submittedPlanSchema, type Plan } from '../../src/protocol/plan';
import { PlanDocument, planWriteDelayMs } from '../../src/agent/run/planDocument';
import { planPath } from '../../src/agent/run/runStore';

const validation = { normalizePath: (path: string) => path };

function plan(): Plan {
  const submitted = submittedPlanSchema.parse({ summary: 'Two steps.', steps: [{ id: 's1', title: 'One', instructions: 'Do one.', files: ['a.ts'] }, { id: 's2', title: 'Two', instructions: 'Do two.', files: ['b.ts'] }] });
  return setStatus(createPlan('run-1', 'A task', submitted), 'running');
}

describe('the plan document writes a burst of changes once', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'plumbline-plandoc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('update renders at once and writes within the delay; the last change wins', async () => {
    const document = new PlanDocument(root, 'run-1', validation);
    const first = addNote(plan(), 'first');
    const second = addNote(first, 'second');
    assert.match(document.update(first), /first/);
    const markdown = document.update(second);
    assert.equal(existsSync(planPath(root, 'run-1')), false, 'nothing written yet');
    await new Promise((resolve) => setTimeout(resolve, planWriteDelayMs + 200));
    assert.equal(readFileSync(planPath(root, 'run-1'), 'utf8'), markdown);
  });

  test('a sync reads the file without writing first: the older render on disk is not taken for an edit, and the pending one lands on its timer', async () => {
    const document = new PlanDocument(root, 'run-1', validation);
    await document.write(plan());
    const changed = addNote(plan(), 'a newer note');
    document.update(changed);
    assert.deepEqual(await document.sync(changed), { kind: 'unchanged' });
    assert.doesNotMatch(readFileSync(planPath(root, 'run-1'), 'utf8'), /a newer note/, 'a scheduling point costs a read, not a write');
    await new Promise((resolve) => setTimeout(resolve, planWriteDelayMs + 100));
    assert.match(readFileSync(planPath(root, 'run-1'), 'utf8'), /a newer note/);
    assert.deepEqual(await document.sync(changed), { kind: 'unchanged' });
  });

  test('an edit handled at one sync is not followed again at the next, while it is still on disk', async () => {
    const document = new PlanDocument(root, 'run-1', validation);
    await document.write(plan());
    const rendered = readFileSync(planPath(root, 'run-1'), 'utf8');
    assert.match(rendered, /Do one\./);
    writeFileSync(planPath(root, 'run-1'), rendered.replace('Do one.', 'Do one, carefully.'));
    assert.equal((await document.sync(plan())).kind, 'edited');
    assert.deepEqual(await document.sync(plan()), { kind: 'unchanged' }, 'the same text on disk is not a second edit');
  });

  test("flush writes what is pending, and a user's unread edit on disk is still not overwritten", async () => {
    const document = new PlanDocument(root, 'run-1', validation);
    await document.write(plan());
    const edited = `${readFileSync(planPath(root, 'run-1'), 'utf8')}\n<!-- the user's edit -->\n`;
    writeFileSync(planPath(root, 'run-1'), edited);
    document.update(addNote(plan(), 'engine note'));
    await document.flush();
    assert.equal(readFileSync(planPath(root, 'run-1'), 'utf8'), edited, 'the edit stays until a sync reads it');
  });
});
