import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastToolResults, makeRepo, requestsOf, runCli, snapshot, startFake } from '../unit/support/scenarioHarness';

test('a worker cannot write outside its step: refusals go back to the model, the files stay byte-equal, the run completes', { timeout: 90000 }, async () => {
  const repo = makeRepo();
  const server = await startFake('scenario-out-of-scope');
  const untouched = snapshot(repo, ['README.md', '.git/config', 'test/greet.test.js', 'package.json']);
  try {
    const run = runCli(repo, server, 'Rename greet and farewell', ['--approve', 'auto', '--yes']);
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(run.log.strayLines, []);

    // The refusals are what the model read next: the tool results of s1's second request.
    const [, second] = requestsOf(server, 'worker-s1');
    assert.ok(second !== undefined, 's1 made a second request');
    const results = lastToolResults(second);
    assert.equal(results.length, 5);
    assert.ok(results.every((entry) => entry.isError), JSON.stringify(results));
    const [readme, otherStep, outside, git, unowned] = results.map((entry) => entry.text);
    assert.match(readme ?? '', /^Refused: README\.md is not one of the files this step owns \(src\/greet\.js\), so it was not changed\./);
    assert.match(otherStep ?? '', /^Refused: src\/farewell\.js is not one of the files this step owns \(src\/greet\.js\)/);
    assert.match(outside ?? '', /\.\.\/outside\.txt is outside the workspace/);
    assert.match(git ?? '', /\.git\/config is inside \.git, which is off limits/);
    assert.match(unowned ?? '', /^Refused: src\/extra\.js is not one of the files this step owns/);

    // The same refusals reached the client as failed tool results of s1.
    const s1Tools = run.log.of('tool/result').filter((event) => event.stepId === 's1');
    assert.deepEqual(
      s1Tools.map((event) => [event.tool, event.ok]),
      [['edit_file', false], ['edit_file', false], ['create_file', false], ['edit_file', false], ['create_file', false], ['edit_file', true], ['finish', true]],
    );

    // Nothing outside the steps' files changed, byte for byte; nothing was created.
    for (const [path, bytes] of untouched) assert.ok(repo.read(path).equals(bytes), `${path} is untouched`);
    assert.ok(!existsSync(join(repo.parent, 'outside.txt')), '../outside.txt was not created');
    assert.ok(!existsSync(join(repo.root, 'src/extra.js')));

    // Each step's own file carries exactly that step's change (s2's farewell.js, not s1's attempt).
    assert.equal(repo.read('src/greet.js').toString(), 'function welcome(name) {\n  return `Hello, ${name}!`;\n}\n\nmodule.exports = { welcome, greet: welcome };\n');
    assert.equal(repo.read('src/farewell.js').toString(), 'function goodbye(name) {\n  return `Goodbye, ${name}.`;\n}\n\nmodule.exports = { goodbye, farewell: goodbye };\n');
    const finished = run.log.finished();
    assert.equal(finished.status, 'completed');
    assert.deepEqual([...finished.applied].sort(), ['src/farewell.js', 'src/greet.js']);
    assert.deepEqual(run.log.of('step/finished').find((event) => event.stepId === 's1')?.changedFiles, ['src/greet.js']);
  } finally {
    await server.close();
    repo.remove();
  }
});
