/**
 * Issue 14, item 11: when the user accepts only part of a verified step and what lands fails the
 * tests, Plumbline says so: the tests run again (sandboxed) on what actually landed, the result is
 * shown, the step is not reported done, and the steps that depend on it do not run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeModelServer, type ScenarioInput } from '../fake-model/index';
import { lastToolResults } from '../unit/support/scenarioHarness';
import { makeVerifiedRepo, startVerifySession, verifications } from '../unit/support/verifyHarness';

const scenario: ScenarioInput = {
  name: 'verified-partial-landing',
  description: 's1 renames greet to welcome in the source and the test; s2 depends on it.',
  onExhausted: 'error',
  latency: { ttftMs: 5, tokensPerSecond: 4000 },
  roles: {
    orchestrator: {
      match: { system: "Plumbline's orchestrator" },
      turns: [
        {
          content: [
            {
              tool: 'submit_plan',
              arguments: {
                summary: 'Rename greet to welcome.',
                steps: [
                  { id: 's1', title: 'Rename greet', instructions: 'Rename greet to welcome in src/greet.js and its test.', files: ['src/greet.js', 'test/greet.test.js'] },
                  { id: 's2', title: 'Document it', instructions: 'Mention welcome in the README.', files: ['README.md'], depends_on: ['s1'] },
                ],
              },
            },
          ],
        },
        // Re-planned after the review: the same dependent step, which is refused (s1 is not done)…
        { content: [{ tool: 'submit_plan', arguments: { summary: 'Document it.', steps: [{ id: 's2', title: 'Document it', instructions: 'Mention welcome in the README.', files: ['README.md'], depends_on: ['s1'] }] } }] },
        // …then on its own.
        { content: [{ tool: 'submit_plan', arguments: { summary: 'Document it.', steps: [{ id: 's2', title: 'Document it', instructions: 'Mention welcome in the README.', files: ['README.md'] }] } }] },
      ],
    },
    'worker-s1': {
      match: { system: 'Plumbline worker', firstUser: '<step id="s1">' },
      turns: [
        {
          content: [
            { tool: 'edit_file', arguments: { path: 'src/greet.js', patch: '-function greet(name) {\n+function welcome(name) {\n@@\n-module.exports = { greet };\n+module.exports = { welcome };' } },
            { tool: 'edit_file', arguments: { path: 'test/greet.test.js', patch: "-const { greet } = require('../src/greet');\n+const { welcome: greet } = require('../src/greet');" } },
            { tool: 'finish', arguments: { summary: 'Renamed.' } },
          ],
        },
      ],
    },
    'worker-s2': {
      match: { system: 'Plumbline worker', firstUser: '<step id="s2">' },
      turns: [{ content: [{ tool: 'finish', arguments: { summary: 'Nothing to do.' } }] }],
    },
  },
};

test('accepting only the source half of a rename: the tests run again on what landed, fail, and the step is not done; a dependent cannot run, and later steps are not blamed', { timeout: 120000 }, async () => {
  const repo = makeVerifiedRepo('greeter');
  const server = await startFakeModelServer({ scenario });
  // The user accepts the source change and rejects the test's.
  const run = await startVerifySession(repo, server, { onReview: () => ({ decisions: [{ path: 'src/greet.js', hunks: 'all' }] }) });
  try {
    await run.start('Rename greet to welcome', 'step');
    const finished = await run.log.waitFor('run/finished', undefined, 90000);
    assert.deepEqual(verifications(run.log, 's1').map((event) => event.evidence.verdict), ['passed'], 'the whole step passed before the review');
    assert.deepEqual(finished.applied, ['src/greet.js']);
    // After the review: the landed state was tested and fails.
    const after = verifications(run.log, undefined).slice(1);
    assert.equal(after.length, 1, JSON.stringify(after.map((event) => event.evidence.reason)));
    assert.equal(after[0]?.evidence.verdict, 'failed');
    const plan = run.log.of('plan/updated').at(-1)?.plan;
    const s1 = plan?.steps.find((step) => step.id === 's1');
    assert.equal(s1?.status, 'failed');
    assert.match(s1?.error ?? '', /^What you accepted of this step fails the tests/);
    // A step that depends on s1 can no longer be planned: s1 is not done.
    const replans = server.requests().filter((request) => request.role === 'orchestrator').map((request) => lastToolResults(request).map((result) => result.text).join('\n'));
    assert.match(replans.join('\n'), /Step "s2" depends on "s1", which is failed, so it could never run/);
    // The re-planned independent step is not blamed for the failures the user's choice brought.
    assert.deepEqual(verifications(run.log, 's2').map((event) => event.evidence.verdict), ['passed']);
    assert.equal(plan?.steps.find((step) => step.id === 's2')?.status, 'done');
    assert.match(plan?.notes.join('\n') ?? '', /What you accepted does not pass the tests: .* s1 is not done/);
    assert.equal(finished.status, 'failed');
    assert.match(finished.reason ?? '', /s1/);
  } finally {
    await run.close();
    await server.close();
    repo.remove();
  }
});
