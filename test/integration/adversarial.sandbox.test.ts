/**
 * Issue 13's attacks, through the real CLI and agent server with a scripted hostile model: test
 * code a worker wrote runs inside the sandbox during verification and its own `run_command`, the
 * tests still run and report, and none of the effects happen — checked on disk, in the real .git,
 * on a TCP listener, among the machine's processes, and in everything sent to the model or printed.
 * Then the same with the sandbox made unavailable: the run asks, or refuses, before any
 * model-written code runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServerSession, type ServerSession } from '../../src/cli/serverConnection';
import { commandApprovalRequest, planApprovalRequest, reviewRequest, runEventNotification, runStartRequest, sandboxConsentRequest } from '../../src/protocol/methods';
import { detectSandbox } from '../../src/agent/sandbox/detectSandbox';
import { startFakeModelServer, type FakeModelServer } from '../fake-model/index';
import { bundle } from '../unit/support/bundles';
import { EventLog, fakeProviderEnv, lastToolResults, makeRepo, requestsOf, spawnCli, type TempRepo } from '../unit/support/scenarioHarness';
import { addIgnoredFiles, hostileScenario, makeHome, newMarkers, processesWith, startListener, type Markers } from '../unit/support/hostileTests';
import { gitStatus, nodeTestCommand } from '../unit/support/verifyHarness';

const noSandbox = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

interface Attack {
  readonly repo: TempRepo;
  readonly markers: Markers;
  readonly server: FakeModelServer;
  readonly listener: Awaited<ReturnType<typeof startListener>>;
  readonly home: ReturnType<typeof makeHome>;
  readonly env: NodeJS.ProcessEnv;
  readonly farewell: Buffer;
  readonly dependency: Buffer;
  cleanup(): Promise<void>;
}

async function prepareAttack(extraEnv: NodeJS.ProcessEnv = {}): Promise<Attack> {
  const markers = newMarkers();
  const repo = makeRepo('greeter');
  addIgnoredFiles(repo.root, markers);
  const listener = await startListener();
  const server = await startFakeModelServer({ scenario: hostileScenario(markers, listener.port, listener.address) });
  const home = makeHome(markers);
  const env = { ...fakeProviderEnv(server), HOME: home.path, MY_DB_PASS: markers.dbPass, ...extraEnv };
  return {
    repo,
    markers,
    server,
    listener,
    home,
    env,
    farewell: repo.read('src/farewell.js'),
    dependency: repo.read('node_modules/planted-dep/index.js'),
    cleanup: async () => {
      await server.close();
      await listener.close();
      repo.remove();
      home.remove();
    },
  };
}

/**
 * A session on the real agent server, as VS Code or a terminal would hold it, in the attack's
 * environment: the plan is approved and every command the policy asks about is denied.
 */
async function attackSession(attack: Attack): Promise<{ session: ServerSession; log: EventLog }> {
  const saved = process.env;
  process.env = attack.env;
  let starting: Promise<ServerSession>;
  try {
    const role = { provider: 'anthropic', baseUrl: attack.server.anthropicBaseUrl };
    starting = startServerSession({ serverPath: bundle('server.js'), workspaceFolder: attack.repo.root, timeoutMs: 30000, settings: { orchestrator: role, worker: role, testCommand: nodeTestCommand } });
  } finally {
    process.env = saved;
  }
  const session = await starting;
  const log = new EventLog();
  session.connection.onNotification(runEventNotification.method, (raw: unknown) => log.push(runEventNotification.params.parse(raw).event));
  session.connection.onRequest(planApprovalRequest.method, () => ({ decision: 'approve' }));
  session.connection.onRequest(commandApprovalRequest.method, () => ({ decision: 'deny' }));
  return { session, log };
}

/** None of the escapes had an effect anywhere, and no secret reached the model or the output. */
function assertContained(attack: Attack, printed: string): void {
  const { repo, markers } = attack;
  assert.equal(existsSync(join(repo.parent, 'escaped.txt')), false, 'a file was written outside the workspace');
  assert.ok(repo.read('src/farewell.js').equals(attack.farewell), 'the user\'s real source file was appended to');
  assert.ok(repo.read('node_modules/planted-dep/index.js').equals(attack.dependency), 'the real node_modules was written');
  assert.equal(existsSync(join(repo.root, '.git', 'hooks', 'pre-commit')), false, 'a git hook was planted in the real .git');
  assert.equal(attack.listener.connections(), 0, 'the test reached the TCP listener');
  assert.deepEqual(processesWith(markers.straggler), [], 'a process the test started outlived the run');
  const sent = JSON.stringify(attack.server.requests().map((request) => request.body));
  for (const secret of [markers.homeKey, markers.envFile, markers.dbPass]) {
    assert.equal(sent.includes(secret), false, `${secret} reached the model`);
    assert.equal(printed.includes(secret), false, `${secret} was printed`);
  }
  // Nothing but the workspace path stands for the copy: no temporary path reaches the model.
  assert.equal(/plumbline-verify-\d+-/.test(sent), false, 'a temporary copy path reached the model');
}

/** What the worker's own run of the suite printed back to it: the escapes ran, inside, and the tests reported. */
function assertRanInside(attack: Attack): void {
  const [, second] = requestsOf(attack.server, 'worker-s1');
  const results = lastToolResults(second ?? assert.fail('the worker was not called a second time'));
  const output = results[2]?.text ?? assert.fail(`no run_command result: ${JSON.stringify(results)}`);
  assert.match(output, /^<command-output command="node --test test\/" exit_code="1"/);
  // Writing "outside" lands in the sandbox's private /tmp (assertContained checks the real disk);
  // everything else fails outright: read-only, or not there at all.
  for (const escape of ['append-source', 'write-node-modules', 'write-node-modules-link', 'plant-hook', 'read-home-key', 'read-dotenv']) {
    assert.match(output, new RegExp(`ESCAPE ${escape}: blocked`), `${escape} was not blocked:\n${output}`);
  }
  assert.match(output, /ESCAPE db-pass: absent/);
  assert.match(output, /ESCAPE net 127\.0\.0\.1: blocked \(ECONNREFUSED\)/);
  if (attack.listener.address !== undefined) assert.match(output, new RegExp(`ESCAPE net ${attack.listener.address.replace(/\./g, '\\.')}: blocked \\(ENETUNREACH\\)`));
  // The environment is an allowlist: nothing of the server's own beyond it.
  const environment = /ESCAPE environment: (\S*)/.exec(output)?.[1]?.split(',') ?? [];
  assert.ok(environment.includes('PATH') && environment.includes('HOME'), environment.join(','));
  assert.ok(!environment.some((name) => /ANTHROPIC|OPENAI|MY_DB_PASS/.test(name)), environment.join(','));
  // The tests still ran and reported, and the workspace path stands where the copy's was.
  assert.match(output, /^# tests 4$/m);
  assert.match(output, /^# fail 1$/m);
  assert.match(output, new RegExp(`ESCAPE root: |${attack.repo.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

for (const approve of ['never', 'auto'] as const) {
  test(`--approve ${approve}: test code that tries every escape runs inside the sandbox during verification and run_command, and nothing escapes`, { timeout: 180000, skip: noSandbox }, async () => {
    const found = await detectSandbox();
    assert.notEqual(found.kind, 'none', `this machine must have a sandbox for this test (${'reason' in found ? found.reason : ''})`);
    const attack = await prepareAttack();
    try {
      const statusBefore = gitStatus(attack.repo);
      const run = spawnCli(['run', 'Greet warmly, with a test', '--cwd', attack.repo.root, '--json', '--yes', '--approve', approve, '--test-cmd', nodeTestCommand], attack.env);
      const result = await run.done;
      const finished = run.log.finished();
      assert.equal(finished.status, 'completed', `${finished.reason ?? ''}\n${result.stderr}`);
      // The fix loop saw the failing first version, then a green run: the tests ran and were read.
      // A green run of a test file that reaches /proc and starts processes proves nothing, though
      // (verdictSteering.ts): the step is unverified, and its test file needs an explicit decision.
      const verdicts = run.log.of('verification').filter((event) => event.stepId === 's1').map((event) => event.evidence);
      assert.deepEqual(verdicts.map((evidence) => evidence.verdict), ['failed', 'unverified']);
      assert.match(verdicts[1]?.reason ?? '', /^The tests pass \(exit code 0, 4 passed\)\. But the change can steer its own test results \(test\/escape\.test\.js:\d+ /);
      assertRanInside(attack);
      assertContained(attack, result.stdout + result.stderr);
      if (approve === 'never') assert.equal(gitStatus(attack.repo), statusBefore, 'a dry run changed the workspace');
      else {
        // Auto mode lands nothing of a step whose green run proves nothing, its harmless comment
        // included; the escape attempts wait for a person (none here).
        assert.deepEqual(finished.applied, []);
        assert.match(result.stderr, /left unapplied: .*test\/escape\.test\.js \(needs your approval: it can steer its own test results: line \d+ /);
        assert.match(result.stderr, /left unapplied: .*src\/greet\.js \(needs your approval: its step's green run proves nothing: test\/escape\.test\.js:\d+ /);
      }
    } finally {
      await attack.cleanup();
    }
  });
}

test('--approve step: the same attack is contained, and the rejected changes never land', { timeout: 180000, skip: noSandbox }, async () => {
  const attack = await prepareAttack();
  const { session, log } = await attackSession(attack);
  const reviewed: string[] = [];
  session.connection.onRequest(reviewRequest.method, (raw: unknown) => {
    reviewed.push(...reviewRequest.params.parse(raw).files.map((file) => file.path));
    return { decisions: [] };
  });
  try {
    const statusBefore = gitStatus(attack.repo);
    await session.request(runStartRequest, { task: 'Greet warmly, with a test', approve: 'step', reviewPlan: true });
    const finished = await log.waitFor('run/finished', undefined, 150000);
    assert.deepEqual(finished.applied, [], finished.reason);
    assert.deepEqual(reviewed.sort(), ['src/greet.js', 'test/escape.test.js']);
    assertRanInside(attack);
    assertContained(attack, JSON.stringify(log.events));
    assert.equal(gitStatus(attack.repo), statusBefore);
  } finally {
    await session.close();
    await attack.cleanup();
  }
});

test('no sandbox and no terminal: the run stops before any model-written code runs, and says how to install one', { timeout: 120000 }, async () => {
  const attack = await prepareAttack({ PLUMBLINE_TEST_SANDBOX_UNAVAILABLE: '1' });
  try {
    const run = spawnCli(['run', 'Greet warmly, with a test', '--cwd', attack.repo.root, '--json', '--yes', '--approve', 'auto', '--test-cmd', nodeTestCommand], attack.env);
    const result = await run.done;
    const finished = run.log.finished();
    assert.equal(result.code, 1);
    assert.equal(finished.status, 'failed');
    assert.match(finished.reason ?? '', /^Stopped before running any model-written code: No sandbox: PLUMBLINE_TEST_SANDBOX_UNAVAILABLE is set/);
    assert.match(finished.reason ?? '', /--unsandboxed review-first/);
    // No worker ran: the question came right after the plan, before any step.
    assert.equal(requestsOf(attack.server, 'worker-s1').length, 0);
    assert.deepEqual(finished.applied, []);
    assertContained(attack, result.stdout + result.stderr);
  } finally {
    await attack.cleanup();
  }
});

test('no sandbox, --unsandboxed review-first: steps are not verified before review and worker commands do not run', { timeout: 120000 }, async () => {
  const attack = await prepareAttack({ PLUMBLINE_TEST_SANDBOX_UNAVAILABLE: '1' });
  try {
    const run = spawnCli(['run', 'Greet warmly, with a test', '--cwd', attack.repo.root, '--json', '--yes', '--approve', 'never', '--unsandboxed', 'review-first', '--test-cmd', nodeTestCommand], attack.env);
    const result = await run.done;
    const finished = run.log.finished();
    assert.equal(finished.status, 'completed', finished.reason);
    const evidence = run.log.of('verification').filter((event) => event.stepId === 's1').map((event) => event.evidence);
    assert.deepEqual(evidence.map((entry) => entry.verdict), ['unverified']);
    assert.match(evidence[0]?.reason ?? '', /Not run before your review: No sandbox/);
    const commands = run.log.of('command/finished');
    assert.deepEqual(commands.map((event) => event.decision), ['refused']);
    const [, second] = requestsOf(attack.server, 'worker-s1');
    assert.match(lastToolResults(second ?? assert.fail('no second request'))[2]?.text ?? '', /^Refused: `node --test test\/` was not run\. Not run before your review/);
    assertContained(attack, result.stdout + result.stderr);
    assert.equal(existsSync(join(attack.repo.root, 'test', 'escape.test.js')), false);
  } finally {
    await attack.cleanup();
  }
});

test('no sandbox, in VS Code or a terminal: the user is asked once per run, and "review first" verifies only what they accepted', { timeout: 150000 }, async () => {
  const attack = await prepareAttack({ PLUMBLINE_TEST_SANDBOX_UNAVAILABLE: '1' });
  const { session, log } = await attackSession(attack);
  const asked: unknown[] = [];
  session.connection.onRequest(sandboxConsentRequest.method, (raw: unknown) => {
    asked.push(sandboxConsentRequest.params.parse(raw));
    return { decision: 'review-first' };
  });
  // The user reads the diff and accepts only the source change, not the test file.
  session.connection.onRequest(reviewRequest.method, () => ({ decisions: [{ path: 'src/greet.js', hunks: 'all' }] }));
  try {
    await session.request(runStartRequest, { task: 'Greet warmly, with a test', approve: 'end', reviewPlan: true });
    const finished = await log.waitFor('run/finished', undefined, 120000);
    assert.equal(finished.status, 'completed', finished.reason);
    assert.equal(asked.length, 1);
    assert.match(JSON.stringify(asked[0]), /PLUMBLINE_TEST_SANDBOX_UNAVAILABLE/);
    assert.deepEqual(finished.applied, ['src/greet.js']);
    // After the review, the suite ran on what landed (the accepted comment, not the hostile test).
    const after = log.of('verification').filter((event) => event.stepId === undefined).map((event) => event.evidence);
    assert.equal(after.at(-1)?.verdict, 'passed', JSON.stringify(after));
    assert.match(log.of('plan/updated').at(-1)?.markdown ?? '', /After your review, on what landed/);
    assert.equal(readFileSync(join(attack.repo.root, 'src', 'greet.js'), 'utf8').startsWith('// A warm greeting.'), true);
    assertContained(attack, JSON.stringify(log.events));
  } finally {
    await session.close();
    await attack.cleanup();
  }
});
