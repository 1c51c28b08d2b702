/**
 * Issue 14, item 12, through the real CLI: a step fails its tests on every attempt, and the
 * orchestrator then cannot re-plan (it gives up, or submits only invalid plans). The run's reason
 * is the cause, the step and its last test failure, not "the orchestrator did not produce a valid
 * plan", which is what it said before.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startFakeModelServer, type ScenarioInput } from '../fake-model/index';
import { makeRepo, requestsOf, runCli, scenarioPath } from '../unit/support/scenarioHarness';
import { nodeTestCommand } from '../unit/support/verifyHarness';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

/** adversarial-replan-fails, with the orchestrator's answer to the re-plan request replaced when given. */
function scenario(replanTurn?: unknown): ScenarioInput {
  const loaded = JSON.parse(readFileSync(scenarioPath('adversarial-replan-fails'), 'utf8')) as ScenarioInput & { roles: { orchestrator: { turns: unknown[] } } };
  if (replanTurn !== undefined) loaded.roles.orchestrator.turns[1] = replanTurn;
  return loaded;
}

/** Re-submits s1, which has failed: refused every time ("used by more than one step"), until the loop detector stops it. */
const invalidReplan = {
  content: [{ tool: 'submit_plan', arguments: { summary: 'Greet with Hi.', steps: [{ id: 's1', title: 'Say Hi', instructions: 'In src/greet.js make greet return `Hi, ${name}!`.', files: ['src/greet.js'] }] } }],
};

const cases: [string, unknown][] = [
  ['gives up', undefined],
  ['submits only invalid plans', invalidReplan],
];

for (const [behaviour, replanTurn] of cases) {
  test(`a step that failed its tests 3 times, then an orchestrator that ${behaviour}: the run ends naming the step and its test failure`, { timeout: 120000, skip: noSandbox }, async () => {
    const repo = makeRepo('greeter');
    const server = await startFakeModelServer({ scenario: scenario(replanTurn) });
    const greet = repo.read('src/greet.js');
    try {
      const run = runCli(repo, server, 'Greet with Hi', ['--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand]);
      const result = await run.done;
      assert.equal(result.code, 1, result.stderr);
      const verifications = run.log.of('verification').filter((event) => event.stepId === 's1');
      assert.deepEqual(verifications.map((event) => event.evidence.verdict), ['failed', 'failed', 'failed']);
      const lastFailure = verifications.at(-1)?.evidence.reason ?? '';
      assert.match(lastFailure, /greets/);

      const finished = run.log.finished();
      assert.equal(finished.status, 'failed');
      const reason = finished.reason ?? '';
      assert.ok(reason.startsWith(`Step s1 (Say Hi) failed: The step still failed verification after 3 attempts: ${lastFailure.replace(/\.$/, '')}.`), reason);
      assert.match(reason, / No re-plan followed: the orchestrator gave up \(/);
      assert.doesNotMatch(reason, /did not produce a valid plan/);
      if (replanTurn !== undefined) assert.match(reason, /its last plan was refused: Step id "s1" is used by more than one step/);
      // The plan's summary says the same, and the terminal's last word is it.
      assert.match(finished.summary, /^Failed: 0 of 1 steps done\. Step s1 \(Say Hi\) failed: The step still failed verification after 3 attempts/);
      assert.ok(requestsOf(server, 'orchestrator').length >= 2, 'the orchestrator was asked to re-plan');
      assert.ok(repo.read('src/greet.js').equals(greet), 'nothing of s1 landed');
    } finally {
      await server.close();
      repo.remove();
    }
  });
}
