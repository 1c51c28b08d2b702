import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createActionJob, issueEvent, jobToken } from '../unit/support/actionHarness';
import { bundle } from '../unit/support/bundles';
import { startFake } from '../unit/support/scenarioHarness';
import { nodeTestCommand } from '../unit/support/verifyHarness';

// Issue #20's second "Done when", whole: the composite action as a runner would run it (action.yml's
// steps, their env and outputs), the real CLI built in this repository, the real sandbox step,
// a scripted model, a checkout whose origin is a bare repository, and gh replaced only at the
// network boundary. Each way a run can end is in action.scripts.test.ts, with a stand-in CLI.

const apiKey = 'sk-ant-e2e-secret-5d1c0b';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

test('action end to end: an issue becomes a pushed branch of verified commits and a pull request whose body is the report; the key is never printed', { timeout: 180000 }, async () => {
  const job = createActionJob('calc');
  const server = await startFake('ci-branch');
  try {
    const head = job.git(['rev-parse', 'HEAD']);
    const run = await job.run({
      inputs: {
        'plumbline-path': bundle('cli.js'),
        provider: 'anthropic',
        'base-url': server.anthropicBaseUrl,
        'api-key': apiKey,
        'test-command': nodeTestCommand,
        branch: 'plumbline/issue-12',
        labels: 'plumbline',
      },
      eventName: 'issues',
      event: issueEvent('Add square, and print results as words', 'Please add `square`. cc @octocat'),
      env: { PLUMBLINE_BASELINE_CACHE: 'off', GITHUB_TOKEN: jobToken },
    });
    assert.equal(run.failed, false, run.log);
    assert.deepEqual(run.steps.map((step) => `${step.name}: ${step.status}`), [
      'Set up Node: skipped',
      'Install Plumbline: success',
      'Prepare the sandbox: success',
      'Run Plumbline: success',
      'Publish the branch and the pull request: success',
      'Verdict: success',
    ]);

    // The outputs, from the CLI (branch, verdict, commits, report) and the publish step.
    assert.equal(run.outputs.verdict, 'verified');
    assert.equal(run.outputs.branch, 'plumbline/issue-12');
    assert.equal(run.outputs.commits, '2');
    assert.equal(run.outputs.pushed, 'true');
    assert.equal(run.outputs['pr-url'], 'https://github.com/octo-org/octo-repo/pull/7');

    // The remote has the branch: two commits on the checkout's HEAD, each verified, with its trailers.
    const pushed = job.git(['rev-parse', 'refs/heads/plumbline/issue-12'], { remote: true });
    const commits = job.git(['rev-list', '--reverse', `${head}..${pushed}`], { remote: true }).split('\n');
    assert.equal(commits.length, 2);
    for (const commit of commits) {
      const message = job.git(['log', '-1', '--format=%B', commit], { remote: true });
      assert.match(message, /\nPlumbline-Verdict: verified\n/);
      assert.match(message, /\nPlumbline-Tests: \d+ passed, 0 failed; node --test test\/; /);
    }
    assert.match(job.git(['show', `${pushed}:src/calc.js`], { remote: true }), /function square\(a\)/);
    // The checkout: still on main at the same commit, nothing changed.
    assert.equal(job.git(['rev-parse', 'HEAD']), head);
    assert.equal(job.git(['symbolic-ref', 'HEAD']), 'refs/heads/main');
    assert.equal(job.git(['status', '--porcelain']), '');

    // gh: one pull request, from the branch to main, with the report as its body.
    const calls = job.gh.calls();
    assert.deepEqual(calls.map((call) => call.args.slice(0, 2).join(' ')), ['pr list', 'pr create']);
    const create = calls[1]!;
    assert.equal(create.args[create.args.indexOf('--head') + 1], 'plumbline/issue-12');
    assert.equal(create.args[create.args.indexOf('--base') + 1], 'main');
    assert.equal(create.args[create.args.indexOf('--title') + 1], 'Plumbline: Add square, and print results as words');
    const report = readFileSync(run.outputs.report ?? assert.fail('no report output'), 'utf8');
    assert.ok((create.body ?? '').startsWith(report.trimEnd()), 'the body is the report');
    assert.match(create.body ?? '', /### Plan\n/);
    assert.match(create.body ?? '', /Requested in #12\./);
    assert.deepEqual(create.keyVariables, []);
    assert.ok(run.summary.includes(report.trimEnd()), 'the job summary has the report');

    // The artifacts folder the workflow uploads: the journal, the plan, the run record, the report.
    const artifacts = run.outputs.artifacts ?? assert.fail('no artifacts output');
    for (const name of ['journal.jsonl', 'plan.md', 'run.json']) assert.ok(existsSync(join(artifacts, name)), `${name} is missing from the artifacts`);

    // The key: masked, never printed, nowhere in what the run leaves behind or pushed.
    assert.ok(run.masks.includes(apiKey));
    assert.deepEqual(run.raw.split('\n').filter((line) => line.includes(apiKey) && line !== `::add-mask::${apiKey}`), []);
    const leftBehind = [run.summary, report, create.body ?? '', ...filesUnder(artifacts).map((path) => readFileSync(path, 'utf8')), job.git(['log', '-p', '--all'], { remote: true })];
    assert.ok(leftBehind.every((text) => !text.includes(apiKey)), 'the key is in the run\'s output, artifacts or the pushed history');
    assert.ok(leftBehind.every((text) => !text.includes(jobToken)), 'the job token leaked');
  } finally {
    await server.close();
    job.remove();
  }
});
