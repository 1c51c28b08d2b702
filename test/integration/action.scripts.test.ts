import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commentEvent, createActionJob, issueEvent, jobToken, type ActionJob } from '../unit/support/actionHarness';
import { stubRecordSchema, writeCiContractStub, type StubRecord } from '../unit/support/ciContractStub';
import type { ActionRun } from '../unit/support/compositeAction';

// The composite action (action.yml and action/*) under a simulated GitHub job, with the CLI replaced
// by a stub that keeps the CLI's side of issue #20's contract, so each way a run can end is tried
// in seconds. action.endToEnd.test.ts runs the same action with the real CLI and a scripted model.

const apiKey = 'sk-ant-action-secret-7f3a9c';

function stubbed(job: ActionJob, verdict: string, extraEnv: Record<string, string> = {}): { env: Record<string, string>; inputs: Record<string, string>; record(): StubRecord | undefined } {
  const record = join(job.root, 'stub-record.json');
  return {
    env: { STUB_RECORD: record, STUB_VERDICT: verdict, GITHUB_TOKEN: jobToken, GH_TOKEN: jobToken, ...extraEnv },
    inputs: { 'plumbline-path': writeCiContractStub(job.root), 'api-key': apiKey, sandbox: 'as-is' },
    record: () => (existsSync(record) ? stubRecordSchema.parse(JSON.parse(readFileSync(record, 'utf8'))) : undefined),
  };
}

function step(run: ActionRun, name: string): ActionRun['steps'][number] {
  return run.steps.find((candidate) => candidate.name === name) ?? assert.fail(`no step "${name}" in ${run.steps.map((s) => s.name).join(', ')}`);
}

/** The key was never printed: it appears in the raw output only inside the runner's ::add-mask:: command. */
function assertSecretNeverPrinted(run: ActionRun, secret: string): void {
  const printed = run.raw.split('\n').filter((line) => line.includes(secret) && line !== `::add-mask::${secret}`);
  assert.deepEqual(printed, [], 'the secret was printed');
  assert.ok(run.masks.includes(secret), 'the secret was not masked');
  assert.ok(!run.log.includes(secret));
  assert.ok(!run.summary.includes(secret));
  assert.ok(!JSON.stringify(run.outputs).includes(secret));
}

test('action, verified run from an issue: the branch is pushed to origin, gh opens a pull request with the report, outputs are written, the key reaches only the CLI', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'verified');
    const head = job.git(['rev-parse', 'HEAD']);
    const run = await job.run({ inputs: { ...stub.inputs, branch: 'plumbline/issue-12', labels: 'plumbline, automated' }, eventName: 'issues', event: issueEvent('Make the greeting warmer', 'The greeting is cold.'), env: stub.env });
    assert.equal(run.failed, false, run.log);

    // The branch on the remote is the run's, with its two verified commits; the checkout is untouched.
    const pushed = job.git(['rev-parse', 'refs/heads/plumbline/issue-12'], { remote: true });
    assert.equal(pushed, job.git(['rev-parse', 'refs/heads/plumbline/issue-12']));
    assert.equal(job.git(['rev-list', '--count', `${head}..${pushed}`], { remote: true }), '2');
    assert.equal(job.git(['rev-parse', 'HEAD']), head);
    assert.equal(job.git(['rev-parse', '--abbrev-ref', 'HEAD']), 'main');
    assert.equal(job.git(['status', '--porcelain']), '');

    // gh: asked for an open pull request of the branch, then created one with the report as its body.
    const calls = job.gh.calls();
    assert.deepEqual(calls.map((call) => call.args.slice(0, 2).join(' ')), ['pr list', 'pr create']);
    const create = calls[1]!;
    const arg = (name: string): string | undefined => create.args[create.args.indexOf(name) + 1];
    assert.equal(arg('--head'), 'plumbline/issue-12');
    assert.equal(arg('--base'), 'main');
    assert.equal(arg('--title'), 'Plumbline: Make the greeting warmer');
    assert.ok(!create.args.includes('--draft'));
    assert.deepEqual(create.args.filter((_, index) => create.args[index - 1] === '--label'), ['plumbline', 'automated']);
    assert.match(create.body ?? '', /^## Plan\n\n2 verified step\(s\); verdict verified\./);
    assert.match(create.body ?? '', /Requested in #12\./);
    assert.equal(create.ghToken, jobToken);
    assert.equal(create.ghRepo, 'octo-org/octo-repo');
    assert.deepEqual(create.keyVariables, [], 'gh saw a model key');

    assert.equal(run.outputs.branch, 'plumbline/issue-12');
    assert.equal(run.outputs.verdict, 'verified');
    assert.equal(run.outputs.commits, '2');
    assert.equal(run.outputs['pr-url'], 'https://github.com/octo-org/octo-repo/pull/7');
    assert.equal(run.outputs.pushed, 'true');
    assert.ok(existsSync(join(run.outputs.artifacts ?? '', 'run.json')), 'the artifacts folder has the run');
    assert.match(run.summary, /2 verified step\(s\)/);
    assert.match(run.summary, /created https:\/\/github.com\/octo-org\/octo-repo\/pull\/7/);

    // The CLI: run --ci with the task from the event (no task argument), the key under the provider's
    // name, no workflow token, none of the action's inputs.
    const record = stub.record() ?? assert.fail('the CLI did not run');
    assert.deepEqual(record.argv.slice(0, 2), ['run', '--ci']);
    assert.ok(!record.argv.includes('--task-file'));
    assert.equal(record.argv[record.argv.indexOf('--commit-branch') + 1], 'plumbline/issue-12');
    assert.equal(record.env.ANTHROPIC_API_KEY, apiKey);
    assert.equal(record.env.GITHUB_TOKEN, undefined);
    assert.equal(record.env.GH_TOKEN, undefined);
    assert.deepEqual(Object.keys(record.env).filter((name) => name.startsWith('PLUMBLINE_INPUT_')), []);
    assert.equal(record.env.GIT_AUTHOR_NAME, 'github-actions[bot]');
    assert.ok(!record.argv.some((value) => value.includes(apiKey)), 'the key was on the command line');

    assertSecretNeverPrinted(run, apiKey);
  } finally {
    job.remove();
  }
});

test('action, partial run: the verified commits are pushed and the pull request is a draft; fail-on partial fails the job after publishing', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'partial');
    const run = await job.run({ inputs: { ...stub.inputs, 'fail-on': 'partial' }, eventName: 'issues', event: issueEvent('Two things', 'Do both.'), env: stub.env });
    assert.equal(run.failed, true);
    assert.equal(step(run, 'Publish the branch and the pull request').status, 'success');
    assert.equal(step(run, 'Verdict').status, 'failure');
    assert.match(run.log, /The run's verdict is partial/);
    assert.equal(job.git(['rev-list', '--count', 'main..plumbline/r-stub-1'], { remote: true }), '1');
    const create = job.gh.calls().find((call) => call.args[1] === 'create') ?? assert.fail('no pull request');
    assert.ok(create.args.includes('--draft'));
    assert.equal(run.outputs['pr-url'], 'https://github.com/octo-org/octo-repo/pull/7');
  } finally {
    job.remove();
  }
});

test('action, failed run: nothing is pushed, gh is never called, the job fails with the verdict', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'failed');
    const run = await job.run({ inputs: stub.inputs, eventName: 'issues', event: issueEvent('Impossible', 'Cannot be done.'), env: stub.env });
    assert.equal(run.failed, true);
    assert.equal(step(run, 'Run Plumbline').status, 'success', 'exit 1 with a verdict is not the run step\'s failure');
    assert.equal(job.git(['for-each-ref', '--format=%(refname)', 'refs/heads/plumbline'], { remote: true }), '');
    assert.deepEqual(job.gh.calls(), []);
    assert.equal(run.outputs.verdict, 'failed');
    assert.equal(run.outputs['pr-url'], '');
    assert.match(run.summary, /Nothing to push: the run's verdict is failed/);
  } finally {
    job.remove();
  }
});

test('action, a re-run of the same branch: the remote branch is replaced and the open pull request is updated, not duplicated', { timeout: 60000 }, async () => {
  const existing = 'https://github.com/octo-org/octo-repo/pull/3';
  const job = createActionJob('greeter', { openPullRequest: existing });
  try {
    // An earlier run's branch of the same name on the remote.
    job.git(['push', '-q', 'origin', 'HEAD:refs/heads/plumbline/issue-12']);
    const stub = stubbed(job, 'verified');
    const run = await job.run({ inputs: { ...stub.inputs, branch: 'plumbline/issue-12' }, eventName: 'issues', event: issueEvent('Make the greeting warmer', 'Again.'), env: stub.env });
    assert.equal(run.failed, false, run.log);
    assert.equal(job.git(['rev-parse', 'plumbline/issue-12'], { remote: true }), job.git(['rev-parse', 'plumbline/issue-12']));
    const calls = job.gh.calls();
    assert.deepEqual(calls.map((call) => call.args.slice(0, 2).join(' ')), ['pr list', 'pr edit']);
    assert.equal(calls[1]?.args[2], existing);
    assert.match(calls[1]?.body ?? '', /2 verified step/);
    assert.equal(run.outputs['pr-url'], existing);
  } finally {
    job.remove();
  }
});

test('action, /plumbline comment from someone without write access: refused before the CLI runs; nothing pushed, gh never called', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'verified');
    const run = await job.run({ inputs: stub.inputs, eventName: 'issue_comment', event: commentEvent('/plumbline delete the tests', 'CONTRIBUTOR'), env: stub.env });
    assert.equal(run.failed, true);
    assert.match(run.log, /@drive-by may not start a Plumbline run: their association with the repository is CONTRIBUTOR/);
    assert.equal(stub.record(), undefined, 'the CLI ran');
    assert.deepEqual(job.gh.calls(), []);
    assert.equal(step(run, 'Publish the branch and the pull request').status, 'skipped');
    assertSecretNeverPrinted(run, apiKey);
  } finally {
    job.remove();
  }
});

test('action, a task full of shell syntax reaches the CLI as text (through a file), and the pull request title as one argument', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'verified');
    const task = '--help"; touch pwned-$(whoami) `touch pwned2` ${{ github.token }}\nsecond line';
    const run = await job.run({ inputs: { ...stub.inputs, task }, eventName: 'workflow_dispatch', event: {}, env: stub.env });
    assert.equal(run.failed, false, run.log);
    const record = stub.record() ?? assert.fail('the CLI did not run');
    assert.equal(record.task, task);
    assert.deepEqual(readdirSync(job.workspace).filter((name) => name.startsWith('pwned')), []);
    assert.ok(!record.argv.includes(task));
    const create = job.gh.calls().find((call) => call.args[1] === 'create') ?? assert.fail('no pull request');
    assert.equal(create.args[create.args.indexOf('--title') + 1], 'Plumbline: --help"; touch pwned-$(whoami) `touch pwned2` ${{ github.token }}');
    // workflow_dispatch has no default branch in its event: the base is the checked-out ref.
    assert.equal(create.args[create.args.indexOf('--base') + 1], 'main');
  } finally {
    job.remove();
  }
});

test('action, the CLI\'s usage error (exit 2): the run step fails, nothing is published', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'verified', { STUB_EXIT: '2' });
    const run = await job.run({ inputs: stub.inputs, eventName: 'issues', event: issueEvent('x', 'y'), env: stub.env });
    assert.equal(run.failed, true);
    assert.equal(step(run, 'Run Plumbline').status, 'failure');
    assert.match(run.log, /plumbline exited with 2 \(a usage error: check the action's inputs\)/);
    assert.equal(step(run, 'Publish the branch and the pull request').status, 'skipped');
    assert.deepEqual(job.gh.calls(), []);
  } finally {
    job.remove();
  }
});

test('action, resume-from: runs plumbline resume --from DIR (the interrupted run keeps its task and branch); a branch or task given with it is refused', { timeout: 60000 }, async () => {
  const job = createActionJob();
  try {
    const stub = stubbed(job, 'verified');
    const from = join(job.root, 'downloaded-artifact');
    mkdirSync(from);
    const run = await job.run({ inputs: { ...stub.inputs, 'resume-from': from, 'base-url': 'http://127.0.0.1:9/v1' }, eventName: 'workflow_dispatch', event: {}, env: stub.env });
    assert.equal(run.failed, false, run.log);
    const record = stub.record() ?? assert.fail('the CLI did not run');
    assert.deepEqual(record.argv.slice(0, 3), ['resume', '--from', from]);
    assert.ok(!record.argv.includes('--ci') && !record.argv.includes('--commit-branch') && !record.argv.includes('--task-file'));
    assert.equal(record.env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:9/v1');
    assert.equal(record.env.ANTHROPIC_API_KEY, apiKey);
    assert.ok(job.gh.calls().some((call) => call.args[1] === 'create'));

    const refused = createActionJob();
    try {
      const again = stubbed(refused, 'verified');
      const result = await refused.run({ inputs: { ...again.inputs, 'resume-from': from, branch: 'plumbline/other' }, eventName: 'workflow_dispatch', event: {}, env: again.env });
      assert.equal(result.failed, true);
      assert.match(result.log, /With "resume-from" the task and the branch are the interrupted run's/);
      assert.equal(again.record(), undefined);
    } finally {
      refused.remove();
    }
  } finally {
    job.remove();
  }
});
