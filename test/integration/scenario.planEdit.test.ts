import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { firstUserText, makeRepo, requestsOf, runCli, startFake, stepsSection } from '../unit/support/scenarioHarness';

const newInstructions = ['NEW: use welcome and goodbye in test/greet.test.js.', 'Keep the test names as they are.'];

/** The block of one step: from its marker to the next step's marker or the end of the steps. */
function blockRange(lines: readonly string[], id: string): [number, number] {
  const start = lines.indexOf(`<!-- plumbline:step ${id} -->`);
  assert.ok(start >= 0, `plan.md has step ${id}`);
  const next = lines.findIndex((line, index) => index > start && (line.startsWith('<!-- plumbline:step ') || line === '<!-- plumbline:steps-end -->'));
  return [start, next];
}

/** What a user would do in an editor: reword s3's instructions, delete s4's block, add a step from the template. */
function editPlan(markdown: string): string {
  const lines = markdown.split('\n');
  const [s3Start, s3End] = blockRange(lines, 's3');
  const instructionsAt = lines.indexOf('  - Instructions:', s3Start);
  assert.ok(instructionsAt > s3Start && instructionsAt < s3End);
  const quoted = lines.slice(instructionsAt + 1, s3End).filter((line) => line.startsWith('    > ')).length;
  lines.splice(instructionsAt + 1, quoted, ...newInstructions.map((line) => `    > ${line}`));
  const [s4Start, s4End] = blockRange(lines, 's4');
  lines.splice(s4Start, s4End - s4Start);
  const endAt = lines.indexOf('<!-- plumbline:steps-end -->');
  lines.splice(
    endAt,
    0,
    '- [ ] **new** · pending · Add a changelog',
    '  - Files: `CHANGELOG.md`',
    '  - Depends on: none',
    '  - Instructions:',
    '    > Create CHANGELOG.md noting the renames.',
    '',
  );
  return lines.join('\n');
}

test('an edit of plan.md made while a step runs is followed: reworded, removed and added steps', { timeout: 90000 }, async () => {
  const repo = makeRepo();
  const server = await startFake('scenario-plan-edit');
  try {
    const run = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'auto', '--yes']);
    const started = await run.log.waitFor('run/started');
    // s1's worker takes 1.5 s to answer: edit the plan while it runs (and s2 runs or has finished).
    await run.log.waitFor('step/started', (event) => event.stepId === 's1');
    await run.log.waitFor('step/started', (event) => event.stepId === 's2');
    assert.equal(run.log.of('step/finished').filter((event) => event.stepId === 's1').length, 0, 's1 is still running');
    const edited = editPlan(repo.planMarkdown(started.runId));
    const temporary = `${started.planPath}.test-edit`;
    writeFileSync(temporary, edited);
    renameSync(temporary, started.planPath);

    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const { log } = run;
    assert.deepEqual(log.strayLines, []);

    // The engine read the edit and said what it followed.
    const edits = log.of('plan/edited');
    assert.equal(edits.length, 1, JSON.stringify(edits));
    assert.deepEqual(edits[0]?.errors, []);
    assert.deepEqual(edits[0]?.changes, ['reworded s3', 'added u1', 'removed s4']);

    // s3's worker got the new instructions in its brief.
    const [s3] = requestsOf(server, 'worker-s3');
    assert.ok(s3 !== undefined, 's3 ran');
    const brief = firstUserText(s3);
    assert.match(brief, /<step id="s3">\nUpdate the tests\n\nNEW: use welcome and goodbye in test\/greet\.test\.js\.\nKeep the test names as they are\.\n<\/step>/);
    assert.doesNotMatch(brief, /^Use welcome and goodbye/m);
    // The removed step never ran; the added one did, as u1.
    assert.equal(requestsOf(server, 'worker-s4').length, 0);
    assert.ok(!log.of('step/started').some((event) => event.stepId === 's4'));
    assert.ok(log.of('step/started').some((event) => event.stepId === 'u1'));
    assert.match(firstUserText(requestsOf(server, 'worker-u1')[0]!), /<step id="u1">\nAdd a changelog\n\nCreate CHANGELOG\.md noting the renames\.\n<\/step>/);
    assert.equal(repo.read('README.md').toString().split('\n')[0], '# greeter');
    assert.match(repo.read('CHANGELOG.md').toString(), /greet is now welcome/);

    // The plan the client saw and plan.md on disk reflect the edit to the end.
    const finished = log.finished();
    assert.equal(finished.status, 'completed', finished.reason);
    assert.deepEqual([...finished.applied].sort(), ['CHANGELOG.md', 'src/farewell.js', 'src/greet.js', 'test/greet.test.js']);
    const last = log.of('plan/updated').at(-1);
    assert.deepEqual(last?.plan.steps.map((step) => [step.id, step.status]), [['s1', 'done'], ['s2', 'done'], ['s3', 'done'], ['u1', 'done']]);
    for (const id of ['s1', 's2', 's3']) assert.deepEqual(log.stepStatuses(id), ['pending', 'running', 'done'], id);
    assert.deepEqual(log.stepStatuses('u1'), ['pending', 'running', 'done']);
    const plan = repo.planMarkdown(started.runId);
    const steps = stepsSection(plan);
    assert.match(steps, /^ {4}> NEW: use welcome and goodbye in test\/greet\.test\.js\.\n {4}> Keep the test names as they are\.$/m);
    assert.doesNotMatch(steps, /plumbline:step s4|Mention the rename/);
    assert.match(steps, /^- \[x\] \*\*u1\*\* · done · Add a changelog$/m);
    assert.match(plan, /^- Followed your edit: reworded s3; added u1; removed s4\.$/m);
    assert.match(plan, /\*\*Status:\*\* completed · 4\/4 steps done/);
  } finally {
    await server.close();
    repo.remove();
  }
});
