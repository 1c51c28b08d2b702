import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { condition, type ExpressionValue } from './support/actionExpressions';
import { repoRoot } from './support/bundles';
import { parseOutputFile, readYaml } from './support/compositeAction';
import { commentEvent, issueEvent } from './support/actionHarness';

// The example workflows' own logic, run as GitHub would: who may trigger the issue workflow (its
// job's if:, through the same expression evaluator as the simulated runner), and the batch
// workflow's first job, which turns a tasks file into the matrix.

interface Job {
  if?: string;
  steps: { id?: string; run?: string; env?: Record<string, string> }[];
}

function job(file: string, name: string): Job {
  const workflow = readYaml(join(repoRoot, 'docs', 'github-actions', file)) as { jobs: Record<string, Job> };
  return workflow.jobs[name] ?? assert.fail(`${file} has no job ${name}`);
}

test('issue workflow: runs for the plumbline label and for /plumbline comments on issues by owners, members and collaborators only', () => {
  const gate = job('plumbline-issue.yml', 'plumbline').if;
  const runsFor = (eventName: string, event: Record<string, unknown>): boolean =>
    condition(gate, { github: { event_name: eventName, event: event as ExpressionValue } }, { failed: false });

  assert.equal(runsFor('issues', issueEvent('t', 'b')), true);
  assert.equal(runsFor('issues', { ...issueEvent('t', 'b'), label: { name: 'bug' } }), false);
  for (const association of ['OWNER', 'MEMBER', 'COLLABORATOR']) assert.equal(runsFor('issue_comment', commentEvent('/plumbline fix it', association)), true, association);
  for (const association of ['CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'NONE']) assert.equal(runsFor('issue_comment', commentEvent('/plumbline fix it', association)), false, association);
  assert.equal(runsFor('issue_comment', commentEvent('looks good', 'OWNER')), false, 'a comment without /plumbline');
  const onPullRequest = commentEvent('/plumbline fix it', 'OWNER');
  assert.equal(runsFor('issue_comment', { ...onPullRequest, issue: { ...(onPullRequest.issue as object), pull_request: { url: 'x' } } }), false, 'a comment on a pull request');
});

function readTasks(file: string, content: string): { code: number | null; output: string; tasks: string | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-batch-'));
  try {
    const step = job('plumbline-batch.yml', 'tasks').steps.find((candidate) => candidate.id === 'read') ?? assert.fail('no read step');
    writeFileSync(join(dir, file), content);
    writeFileSync(join(dir, 'output'), '');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', TASKS_FILE: file, GITHUB_OUTPUT: join(dir, 'output') },
    });
    return { code: result.status, output: `${result.stdout}${result.stderr}`, tasks: parseOutputFile(readFileSync(join(dir, 'output'), 'utf8')).tasks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('batch workflow: the tasks file becomes the matrix (one entry per task), and a bad file stops the batch with the rule it broke', () => {
  const example = readFileSync(join(repoRoot, 'docs', 'github-actions', 'plumbline-tasks.json'), 'utf8');
  const good = readTasks('tasks.json', example);
  assert.equal(good.code, 0, good.output);
  const matrix = JSON.parse(good.tasks ?? '[]') as { id: string; task: string }[];
  assert.deepEqual(matrix.map((entry) => entry.id), ['logger-auth', 'logger-billing', 'flaky-date-test']);
  assert.ok(matrix.every((entry) => Object.keys(entry).join() === 'id,task'));

  for (const bad of ['[]', '{"id": "a", "task": "b"}', '[{"id": "../main", "task": "b"}]', '[{"id": "a", "task": ""}]', '[{"id": "a", "task": "b"}, {"id": "a", "task": "c"}]', 'not json']) {
    const result = readTasks('tasks.json', bad);
    assert.notEqual(result.code, 0, `accepted ${bad}`);
    assert.equal(result.tasks, undefined, bad);
  }
  assert.match(readTasks('tasks.json', '[]').output, /::error file=tasks.json::The tasks file must be a JSON array/);
});
