/**
 * Issue 14, "Runaway", through the real CLI and agent server with a scripted hostile orchestrator:
 * one that answers every failed step with the same step under a new id once made ~20,000 requests
 * in two minutes and wrote a 301 MB journal. Re-plans are capped per run and per step (a step
 * re-planned under a new name is the same step), model requests per run are capped by default,
 * the journal has a size cap, and a cost limit that cannot count an unpriced model refuses to run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RunJournal } from '../../src/agent/run/journal';
import { runStartRequest } from '../../src/protocol/methods';
import { startFakeModelServer, type ScenarioInput } from '../fake-model/index';
import { fakeProviderEnv, listRunsCli, makeRepo, requestsOf, runCli, scenarioPath, spawnCli, startFake, startRunSession } from '../unit/support/scenarioHarness';

/** The runaway scenario with its step owning a different file each time: no two failures are the same step. */
function dissimilarRunaway(): ScenarioInput {
  const scenario = JSON.parse(readFileSync(scenarioPath('adversarial-runaway'), 'utf8')) as ScenarioInput & { roles: { orchestrator: { turns: unknown[] } } };
  scenario.roles.orchestrator.turns = [
    {
      content: [
        {
          tool: 'submit_plan',
          arguments: {
            summary: 'Add part {{turn}}.',
            steps: [{ id: 'p{{turn}}', title: 'Module {{turn}}', instructions: 'Create src/part{{turn}}.js exporting the number {{turn}}.', files: ['src/part{{turn}}.js'] }],
          },
        },
      ],
    },
  ];
  return scenario;
}

describe('adversarial: a runaway orchestrator', () => {
  test('the same step re-planned under new names stops at the per-step cap, naming the step and how often it failed; requests, journal and --json output stay small', { timeout: 60000 }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFake('adversarial-runaway');
    const greet = repo.read('src/greet.js');
    try {
      const run = runCli(repo, server, 'Greet more warmly', ['--approve', 'auto', '--yes']);
      const result = await run.done;
      assert.equal(result.code, 1, result.stderr);
      assert.deepEqual(run.log.strayLines, []);
      const finished = run.log.finished();
      assert.equal(finished.status, 'failed');
      // Three failures of one step under three names, then no fourth re-plan.
      assert.match(finished.reason ?? '', /^Step s2 \(Warmer greeting, take 2\) failed 3 times \(as s0, s1, s2: a re-planned step with the same files and near-identical instructions is the same step\); plumbline\.limits\.maxReplansPerStep allows 2 re-plans of a step\. Its last failure: The worker is blocked: src\/greet\.js does not look/);
      assert.deepEqual(requestsOf(server, 'orchestrator').length, 3);
      assert.deepEqual(requestsOf(server, 'worker').length, 3);
      assert.deepEqual(run.log.of('step/finished').map((event) => [event.stepId, event.status]), [['s0', 'failed'], ['s1', 'failed'], ['s2', 'failed']]);
      assert.ok(repo.read('src/greet.js').equals(greet));

      // Bounded: the journal and what --json printed are kilobytes, not hundreds of megabytes.
      const journal = join(repo.runDir(finished.runId), 'journal.jsonl');
      assert.ok(statSync(journal).size < 100_000, `journal ${statSync(journal).size} bytes`);
      assert.ok(result.stdout.length < 400_000, `--json printed ${result.stdout.length} characters`);
      const recovered = await RunJournal.recover(repo.root, finished.runId);
      assert.equal(recovered.finished, true);
      assert.ok(!existsSync(join(repo.root, '.plumbline', 'run.lock')));
      assert.deepEqual((await listRunsCli(repo)).map((entry) => entry.status), ['failed']);
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('different steps failing one after another stop at plumbline.limits.maxReplans', { timeout: 60000 }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFakeModelServer({ scenario: dissimilarRunaway() });
    const run = await startRunSession(repo, server, { settings: { limits: { maxReplans: 3 } } });
    try {
      const { runId } = await run.session.request(runStartRequest, { task: 'Add the parts', approve: 'auto', reviewPlan: false });
      const finished = await run.log.waitFor('run/finished', (event) => event.runId === runId, 45000);
      assert.equal(finished.status, 'failed');
      assert.match(finished.reason ?? '', /^The run already re-planned 3 times after failed steps, its limit \(plumbline\.limits\.maxReplans\); then Step p3 \(Module 3\) failed: The worker is blocked/);
      assert.equal(requestsOf(server, 'orchestrator').length, 4);
      assert.equal(requestsOf(server, 'worker').length, 4);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('model requests are capped: --max-calls on the CLI, plumbline.budget.maxCalls in the settings', { timeout: 60000 }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFake('adversarial-runaway');
    try {
      const cli = runCli(repo, server, 'Greet more warmly', ['--approve', 'auto', '--yes', '--max-calls', '4']);
      const result = await cli.done;
      assert.equal(result.code, 1, result.stderr);
      assert.equal(cli.log.finished().reason, 'Stopped: the run reached its limit of 4 model calls.');
      assert.equal(server.requests().length, 4);

      server.reset();
      const run = await startRunSession(repo, server, { settings: { budget: { maxCalls: 3 } } });
      try {
        const { runId } = await run.session.request(runStartRequest, { task: 'Greet more warmly', approve: 'auto', reviewPlan: false });
        const finished = await run.log.waitFor('run/finished', (event) => event.runId === runId, 45000);
        assert.equal(finished.reason, 'Stopped: the run reached its limit of 3 model calls.');
        assert.equal(server.requests().length, 3);
      } finally {
        await run.close();
      }
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('a journal past plumbline.limits.maxJournalMb stops the run cleanly with the reason; the journal still reads back', { timeout: 90000 }, async () => {
    const repo = makeRepo('greeter');
    // 30 independent steps with long instructions (within one answer's output tokens): each plan entry
    // is ~25 KB, and every step adds several.
    const steps = Array.from({ length: 30 }, (_, index) => ({
      id: `m${index}`,
      title: `Module ${index}`,
      instructions: `Create src/m${index}.js. ${'Keep the module small and self-contained, with a short comment on top. '.repeat(9)}`,
      files: [`src/m${index}.js`],
    }));
    const server = await startFakeModelServer({
      scenario: {
        name: 'journal-cap',
        latency: { ttftMs: 0, tokensPerSecond: 100000 },
        roles: {
          orchestrator: { match: { system: "Plumbline's orchestrator" }, turns: [{ content: [{ tool: 'submit_plan', arguments: { summary: 'Thirty modules.', steps } }] }] },
          worker: { match: { system: 'Plumbline worker' }, turns: [{ content: [{ tool: 'finish', arguments: { summary: 'Nothing to change.' } }] }] },
        },
      },
    });
    const run = await startRunSession(repo, server, { settings: { limits: { maxJournalMb: 1 }, testCommand: 'node -e 0' } });
    try {
      const { runId } = await run.session.request(runStartRequest, { task: 'Thirty modules', approve: 'never', reviewPlan: false, maxParallel: 1 });
      const finished = await run.log.waitFor('run/finished', (event) => event.runId === runId, 80000);
      assert.equal(finished.status, 'failed');
      assert.equal(finished.reason, "Stopped: the run's journal reached its size limit of 1 MB (plumbline.limits.maxJournalMb).");
      const size = statSync(join(repo.runDir(runId), 'journal.jsonl')).size;
      assert.ok(size > 1024 * 1024 && size < 2 * 1024 * 1024, `journal ${size} bytes`);
      assert.ok(run.log.of('step/started').length < 30, 'the run stopped before its last step');
      const recovered = await RunJournal.recover(repo.root, runId);
      assert.equal(recovered.finished, true);
      assert.equal(recovered.plan?.status, 'failed');
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });
});

describe('adversarial: a cost limit and a model without a price', () => {
  test('--max-cost with an unpriced model and no token limit is refused before any request, saying what to set', { timeout: 60000 }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFake('adversarial-runaway');
    try {
      const run = spawnCli(['run', 'Greet more warmly', '--cwd', repo.root, '--approve', 'auto', '--yes', '--model', 'local-llama-3', '--max-cost', '0.5'], fakeProviderEnv(server));
      const result = await run.done;
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, /The cost limit of \$0\.50 cannot be enforced: the model "local-llama-3" has no known price\. Set a token limit instead \(--max-tokens, or plumbline\.budget\.maxTokens\), or the price in plumbline\.prices\./);
      assert.equal(server.requests().length, 0);
      assert.deepEqual(await listRunsCli(repo), []);
    } finally {
      await server.close();
      repo.remove();
    }
  });

  test('with --max-tokens the token limit bounds the run instead, and the plan and the CLI show tokens, not $0', { timeout: 60000 }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFake('adversarial-runaway');
    try {
      // Every call is 1,100 tokens: the fourth request would exceed 3,000.
      const flags = ['--approve', 'auto', '--yes', '--model', 'local-llama-3', '--max-cost', '0.5', '--max-tokens', '3000'];
      const run = runCli(repo, server, 'Greet more warmly', flags);
      const result = await run.done;
      assert.equal(result.code, 1, result.stderr);
      assert.equal(run.log.finished().reason, 'Stopped: the run reached its limit of 3000 tokens.');
      assert.equal(server.requests().length, 3);
      assert.ok(run.log.of('usage').every((event) => event.costUsd === null));
      assert.deepEqual(run.log.of('plan/updated').at(-1)?.plan.cost, { usd: 0, unpricedCalls: 3, tokens: 3300 });
      assert.match(run.log.of('plan/updated').at(-1)?.markdown ?? '', /cost 3\.3k tokens \(unpriced\)/);

      // The terminal's summary: the tokens, and the cost as unknown rather than $0.0000.
      server.reset();
      const text = await spawnCli(['run', 'Greet more warmly', '--cwd', repo.root, ...flags], fakeProviderEnv(server)).done;
      assert.equal(text.code, 1, text.stderr);
      assert.match(text.stdout, /Cost: unknown \(no price for the model\) over 3 model calls, 3000 input and 300 output tokens\./);
    } finally {
      await server.close();
      repo.remove();
    }
  });
});
