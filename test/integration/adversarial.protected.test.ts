/**
 * Issue 14, items 2 and 3: a file that runs code never executes before the user approves it. A
 * worker changes the Makefile recipe (or package.json's test script) that the verification command
 * runs, and asks for that command itself: both run the pre-run version and say so. In `auto` mode
 * without a terminal, the protected change is left unapplied and reported, and the run ends at once
 * (no prompt in the --json stream, no stale lock, not listed as running).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ScenarioInput } from '../fake-model/index';
import { startFakeModelServer } from '../fake-model/index';
import { fakeProviderEnv, lastToolResults, listRunsCli, requestsOf, spawnCli } from '../unit/support/scenarioHarness';
import { makeVerifiedRepo } from '../unit/support/verifyHarness';

const MARKER = 'PROTECTED-RECIPE-RAN';

function scenario(file: string, patch: string, command: string): ScenarioInput {
  return {
    name: 'adversarial-protected',
    description: `A worker changes ${file}, which the verification command runs, and runs that command itself.`,
    onExhausted: 'error',
    latency: { ttftMs: 5, tokensPerSecond: 4000 },
    roles: {
      orchestrator: {
        match: { system: "Plumbline's orchestrator" },
        turns: [{ content: [{ tool: 'submit_plan', arguments: { summary: 'Greet warmly.', steps: [{ id: 's1', title: 'Warmer greeting', instructions: `Add a comment to src/greet.js and adjust ${file}.`, files: ['src/greet.js', file] }] } }] }],
      },
      'worker-s1': {
        match: { system: 'Plumbline worker', firstUser: '<step id="s1">' },
        turns: [
          {
            content: [
              { tool: 'edit_file', arguments: { path: 'src/greet.js', patch: '+// A warm greeting.\n function greet(name) {' } },
              { tool: 'edit_file', arguments: { path: file, patch } },
              { tool: 'run_command', arguments: { command, reason: 'run the tests' } },
            ],
          },
          { content: [{ tool: 'finish', arguments: { summary: 'Done.' } }] },
        ],
      },
    },
  };
}

const cases = [
  { file: 'Makefile', command: 'make test', overrides: { Makefile: '.PHONY: test\ntest:\n\tnode --test test/\n' }, patch: ` test:\n-\tnode --test test/\n+\t@echo ${MARKER}\n+\tnode --test test/` },
  {
    file: 'package.json',
    command: 'npm test',
    overrides: {},
    patch: `-  "scripts": { "test": "node --test test/" }\n+  "scripts": { "test": "echo ${MARKER} && node --test test/" }`,
  },
] as const;

for (const { file, command, overrides, patch } of cases) {
  test(`a changed ${file} never runs before approval: verification and run_command use its pre-run version; --approve auto without a terminal leaves it unapplied and ends at once`, { timeout: 120000 }, async () => {
    const repo = makeVerifiedRepo('greeter', overrides);
    const before = repo.text(file);
    const server = await startFakeModelServer({ scenario: scenario(file, patch, command) });
    try {
      const started = Date.now();
      const run = spawnCli(['run', 'Greet warmly', '--cwd', repo.root, '--json', '--yes', '--approve', 'auto', '--test-cmd', command], fakeProviderEnv(server));
      const result = await run.done;
      const finished = run.log.finished();
      assert.ok(Date.now() - started < 60000, 'the run ended promptly');
      assert.equal(finished.status, 'completed', `${finished.reason ?? ''}\n${result.stderr}`);
      assert.deepEqual(run.log.strayLines, [], 'nothing but events on stdout (no prompt)');

      // The recipe the worker wrote never ran: not in verification, not in its own command.
      const verification = run.log.of('verification').find((event) => event.stepId === 's1');
      assert.equal(verification?.evidence.verdict, 'passed', verification?.evidence.reason);
      assert.match(verification?.evidence.reason ?? '', new RegExp(`Ran with the pre-run version of ${file.replace('.', '\\.')}: it runs code`));
      // The recipe would print the marker on a line of its own (the diffs quote it inside the command).
      const ran = new RegExp(`(^|\\n)${MARKER}(\\n|$)`);
      for (const event of run.log.of('verification')) assert.doesNotMatch(event.evidence.excerpt, ran);
      const [, second] = requestsOf(server, 'worker-s1');
      const output = lastToolResults(second ?? assert.fail('no second worker request'))[2]?.text ?? '';
      assert.match(output, /exit_code="0"/);
      assert.doesNotMatch(output, ran);
      assert.match(output, new RegExp(`Ran with the pre-run version of ${file.replace('.', '\\.')}`));

      // Auto mode landed the ordinary change; the protected one waits for approval, and says so.
      assert.deepEqual(finished.applied, ['src/greet.js']);
      assert.equal(repo.text(file), before);
      assert.match(result.stderr, new RegExp(`left unapplied: ${file.replace('.', '\\.')} \\(needs your approval`));
      assert.match(run.log.of('plan/updated').at(-1)?.markdown ?? '', new RegExp(`Left unapplied, waiting for your approval \\(they run code\\): ${file.replace('.', '\\.')}`));
      // The workspace is free again and the run is not listed as running.
      assert.equal(existsSync(join(repo.root, '.plumbline', 'run.lock')), false);
      const [listed] = await listRunsCli(repo);
      assert.equal(listed?.status, 'completed');
    } finally {
      await server.close();
      repo.remove();
    }
  });
}
