import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { eventually, startFake, stepsSection } from '../unit/support/scenarioHarness';
import { isAlive, killAll, makeVerifiedRepo, startVerifySession, verifications } from '../unit/support/verifyHarness';

test('a hanging test is stopped at the verification timeout together with the processes it started', { timeout: 120000 }, async (t) => {
  const repo = makeVerifiedRepo('hanging-suite');
  // The hanging test's helpers carry this tag in their arguments: the test finds them among the
  // machine's processes (sandboxed, they can write nothing outside their copy).
  const tag = `plumbline-hang-${String(process.pid)}-${Date.now().toString(36)}`;
  const server = await startFake('verified-hang');
  const run = await startVerifySession(repo, server, {
    verification: { maxAttempts: 1, timeoutSeconds: 10 },
    testCommand: `HANG_TAG=${tag} node --test test/`,
  });
  /** label → pid (as this machine numbers it), for the helpers still running. */
  const helpers = (): Map<string, number> => {
    const found = new Map<string, number>();
    for (const line of execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n')) {
      const match = new RegExp(`^\\s*(\\d+) .*${tag}-(child|daemon)$`).exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined) found.set(match[2], Number(match[1]));
    }
    return found;
  };
  const seen = new Map<string, number>();
  try {
    const { runId } = await run.start('Turn hang mode on, then document it', 'auto');

    // The baseline (hang mode off) passes quickly; s1's verification hangs until the timeout.
    const baseline = await run.log.waitFor('verification', (event) => event.stepId === undefined, 60000);
    assert.equal(baseline.evidence.verdict, 'passed');
    assert.ok(baseline.evidence.durationMs < 10000);
    const started = Date.now();
    await eventually(() => helpers().size === 2, 'the hanging test to start its two helpers', 30000);
    for (const [label, pid] of helpers()) seen.set(label, pid);
    const child = seen.get('child') ?? 0;
    const daemon = seen.get('daemon') ?? 0;
    assert.ok(isAlive(child) && isAlive(daemon), 'the helpers run while the test hangs');

    const verdict = await run.log.waitFor('verification', (event) => event.stepId === 's1', 60000);
    const waited = Date.now() - started;
    assert.equal(verdict.evidence.verdict, 'failed');
    assert.equal(verdict.evidence.reason, 'The tests did not finish within 10 s and were stopped.');
    assert.equal(verdict.evidence.exitCode, null, 'the test command was killed, it did not exit');
    assert.ok(verdict.evidence.durationMs >= 10000 && verdict.evidence.durationMs < 25000, `stopped at the timeout (${String(verdict.evidence.durationMs)} ms)`);
    assert.ok(waited < 25000, `the verdict came ${String(waited)} ms after the helpers started`);

    // The helper in the test's process group is stopped with it.
    await eventually(() => !isAlive(child), `the child ${String(child)} to be stopped`, 10000);
    // A daemon that left the group with setsid should go too (the README: "all of it is stopped on timeout").
    await t.test('the helper that left the process group (setsid) is stopped too', async () => {
      await eventually(() => !isAlive(daemon), `the daemon ${String(daemon)} to be stopped`, 5000);
    });

    // With one attempt allowed, s1 failed with the timeout as its reason; the re-planned s2 ran and landed.
    const finished = await run.log.waitFor('run/finished', undefined, 60000);
    assert.equal(finished.status, 'failed');
    assert.equal(run.log.of('step/finished').find((event) => event.stepId === 's1')?.error, 'The step still failed verification after 1 attempt: The tests did not finish within 10 s and were stopped.');
    assert.match(stepsSection(repo.planMarkdown(runId)), /- Attempt 1: failed · [^\n]+\n\s+> The tests did not finish within 10 s and were stopped\./);
    assert.deepEqual(verifications(run.log, 's2').map((event) => event.evidence.verdict), ['passed']);
    assert.equal(repo.text('src/mode.js'), "'use strict';\n\nmodule.exports = { hang: false };\n");
    assert.deepEqual(finished.applied, ['README.md']);
  } finally {
    killAll([...helpers().values(), ...seen.values()]);
    await run.close();
    await server.close();
    repo.remove();
  }
});
