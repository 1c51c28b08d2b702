import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { noAnswerText } from '../../src/protocol/userQuestion';
import { lastToolResults, makeRepo, requestsOf, runCli, spawnCli, fakeProviderEnv, startFake } from '../unit/support/scenarioHarness';
import { bundle } from '../unit/support/bundles';
import { nodeTestCommand } from '../unit/support/verifyHarness';

// The "unanswered without a terminal", through the built CLI and the real SDK: a worker's
// ask_user gets the no-answer text at once (nothing waits for the timeout), the run goes on, and the
// question and the model's assumption are in the plan.
test('ask_user without a terminal: answered "no answer" at once, the run completes, and the plan records the question and the assumption', { timeout: 90000 }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('cli-ask-user');
  try {
    const run = runCli(repo, server, 'Make the greeting warmer', ['--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand, '--ask-timeout', '600']);
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const finished = run.log.finished();
    assert.equal(finished.status, 'completed', finished.reason);
    assert.deepEqual(finished.applied, ['src/greet.js']);

    const asked = run.log.of('question/asked');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.stepId, 's1');
    const closed = run.log.of('question/closed');
    assert.equal(closed.length, 1);
    assert.equal(closed[0]?.unanswered, 'no-client');

    // What the worker read back: the no-answer text as the tool's result, not an error and not a wait.
    const [, second] = requestsOf(server, 'worker-s1');
    const results = lastToolResults(second ?? assert.fail('no second worker request'));
    assert.equal(results.length, 1);
    assert.match(results[0]?.text ?? '', new RegExp(noAnswerText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    const plan = repo.planMarkdown(finished.runId);
    assert.match(plan, /s1 asked .Should the greeting say Hello or Welcome\?./);
    assert.match(plan, /s1 assumed: .No answer came, so I assume the greeting keeps Hello/);
  } finally {
    await server.close();
    repo.remove();
  }
});

test('ask_user on the CLI without --json and without a terminal: the user reads that the question went unanswered', { timeout: 90000 }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('cli-ask-user');
  try {
    const result = await spawnCli(['run', 'Make the greeting warmer', '--cwd', repo.root, '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand], fakeProviderEnv(server)).done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\? s1 asks: Should the greeting say Hello or Welcome\? \(Hello \/ Welcome\)\n/);
    assert.match(result.stdout, /\? s1: no answer \(no terminal to ask on\); it decides and says what it assumed\n/);
  } finally {
    await server.close();
    repo.remove();
  }
});

/** Runs `plumbline <args>` on a real pseudo-terminal (`script`), typing `answer` when the question's prompt appears. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv, answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, bundle('cli.js'), ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, NO_COLOR: '1' } });
  let output = '';
  let typed = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!typed && /type your answer/.test(output)) {
      typed = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 80000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

// The "ask_user ... on a terminal", end to end: the built CLI on a real pseudo-terminal shows
// the worker's question with numbered choices, the typed number becomes the chosen words, and the
// worker's next request carries that answer (not the no-answer text); the plan records the answer.
test('ask_user on a real terminal: the question and its choices are shown, "2" answers Welcome, and the worker reads it', { timeout: 90000, skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1) for a pseudo-terminal' }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('cli-ask-user');
  try {
    const result = await onTerminal(['run', 'Make the greeting warmer', '--cwd', repo.root, '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand], fakeProviderEnv(server), '2');
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Step s1 asks:\r?\n {2}Should the greeting say Hello or Welcome\?\r?\n {2}1\) Hello\r?\n {2}2\) Welcome/);
    assert.match(result.output, /Choose 1–2 or type your answer/);

    const [, second] = requestsOf(server, 'worker-s1');
    const results = lastToolResults(second ?? assert.fail('no second worker request'));
    assert.equal(results.length, 1);
    assert.match(results[0]?.text ?? '', /Welcome/);
    assert.doesNotMatch(results[0]?.text ?? '', /No answer is available/);

    const runs = readdirSync(join(repo.root, '.plumbline', 'runs'));
    assert.equal(runs.length, 1, runs.join(', '));
    const plan = repo.planMarkdown(runs[0] ?? '');
    assert.match(plan, /s1 asked .Should the greeting say Hello or Welcome\?.; you answered .Welcome./);
  } finally {
    await server.close();
    repo.remove();
  }
});
