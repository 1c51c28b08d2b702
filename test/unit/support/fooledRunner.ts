/**
 * The adversarial runs in which a scripted worker breaks greet and fools node --test (both tests
 * still run by name and pass): one run through the real CLI in auto mode, with what every such
 * test checks (the runner was fooled, the verdict is nevertheless `unverified`, nothing landed),
 * returning what the test checks next (the reason, the review's files, the CLI's stderr).
 */
import assert from 'node:assert/strict';
import type { TestEvidence } from '../../../src/protocol/testEvidence';
import { fakeProviderEnv, makeRepo, snapshot, spawnCli, startFake } from './scenarioHarness';
import { gitStatus, nodeTestCommand } from './verifyHarness';

export interface FooledRun {
  readonly evidence: TestEvidence;
  /** The review's files as the `changes` event lists them. */
  readonly files: readonly { readonly path: string; readonly protectedReason?: string | undefined }[];
  readonly stderr: string;
}

export async function runFooledGreeter(scenario: string, watched: readonly string[]): Promise<FooledRun> {
  const repo = makeRepo('greeter');
  const server = await startFake(scenario);
  const before = snapshot(repo, [...watched]);
  try {
    const run = spawnCli(['run', 'A shorter greeting', '--cwd', repo.root, '--approve', 'auto', '--yes', '--json', '--test-cmd', nodeTestCommand], fakeProviderEnv(server));
    const result = await run.done;
    const verdicts = run.log.of('verification').filter((event) => event.stepId === 's1');
    assert.equal(verdicts.length, 1, result.stdout);
    const evidence = verdicts[0]!.evidence;
    // The runner was fooled: both tests ran by name and passed. The verdict is not a pass anyway.
    assert.equal(evidence.exitCode, 0);
    assert.equal(evidence.passed, 2);
    assert.equal(evidence.verdict, 'unverified');
    assert.match(evidence.reason, /so this green run proves nothing/);
    // Nobody is there to give the explicit decision: nothing lands.
    for (const [path, bytes] of before) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    assert.equal(gitStatus(repo), '');
    return { evidence, files: run.log.of('changes').flatMap((event) => event.files), stderr: result.stderr };
  } finally {
    await server.close();
    repo.remove();
  }
}
