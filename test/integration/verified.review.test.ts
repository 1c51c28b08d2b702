import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { firstUserText, requestsOf, snapshot, startFake, type EventOf } from '../unit/support/scenarioHarness';
import { acceptAll, fixtureText, makeVerifiedRepo, runSuite, startVerifySession, verifications, type ReviewAnswer, type ReviewParams } from '../unit/support/verifyHarness';

const header = '// Arithmetic helpers for the Plumbline verification scenarios.';
const exportsLine = 'module.exports = { add, subtract, multiply, divide, negate };';
const squareAndExports = 'function square(a) {\n  return a * a;\n}\n\nmodule.exports = { add, subtract, multiply, divide, negate, square };';
const files = ['src/calc.js', 'src/format.js', 'test/calc.test.js', 'test/format.test.js', 'package.json', 'README.md'];

interface TwoHunkOutcome {
  /** src/calc.js before the run, and after it. */
  readonly original: string;
  readonly calc: string;
  readonly decided: EventOf<'review/decided'>;
}

/**
 * Runs the two-hunk scenario in `end` mode; `onReview` answers the review (and may edit the file,
 * whose absolute path it gets, as the user would meanwhile); `check` looks at the outcome.
 */
async function reviewTwoHunks(onReview: (params: ReviewParams, path: string) => ReviewAnswer, check: (outcome: TwoHunkOutcome) => void): Promise<void> {
  const repo = makeVerifiedRepo('calc');
  const original = repo.text('src/calc.js');
  const server = await startFake('verified-two-hunks');
  const run = await startVerifySession(repo, server, { onReview: (params) => onReview(params, join(repo.root, 'src/calc.js')) });
  try {
    await run.start('Add square and describe it', 'end');
    const finished = await run.log.waitFor('run/finished', undefined, 90000);
    assert.equal(finished.status, 'completed', finished.reason);
    // One file, two hunks far apart: the header comment, and square before the exports.
    const [review, ...moreReviews] = run.reviews;
    assert.equal(moreReviews.length, 0);
    assert.deepEqual(review?.files.map((file) => [file.path, file.hunks.length]), [['src/calc.js', 2]]);
    const [first, second] = review?.files[0]?.hunks ?? [];
    assert.ok(first?.lines.some((line) => line.kind === 'remove' && line.text === header));
    assert.ok(second?.lines.some((line) => line.kind === 'add' && line.text === 'function square(a) {'));
    // The review named the same hunks, by the same ids, as the changes event before it.
    const [changes] = run.log.of('changes');
    assert.deepEqual(changes?.files.flatMap((file) => file.hunks.map((hunk) => hunk.id)), [first?.id, second?.id]);
    const [decided, ...moreDecided] = run.log.of('review/decided');
    assert.ok(decided !== undefined && moreDecided.length === 0);
    check({ original, calc: repo.text('src/calc.js'), decided });
  } finally {
    await run.close();
    await server.close();
    repo.remove();
  }
}

describe('review: nothing lands before approval, and exactly what was accepted lands', () => {
  for (const mode of ['step', 'end'] as const) {
    test(`${mode} mode: the user's files are byte-identical to the start whenever a review request arrives`, { timeout: 120000 }, async () => {
      const repo = makeVerifiedRepo('calc');
      const start = snapshot(repo, files);
      const s1Calc = repo.text('src/calc.js').replace(header, '// Arithmetic helpers: add, subtract, multiply, divide, negate.');
      const s2Format = repo.text('src/format.js').replace('return `= ${value}`;', 'return `result: ${value}`;');
      const seen: { offered: string[]; changedOnDisk: string[] }[] = [];
      const server = await startFake('verified-review');
      const run = await startVerifySession(repo, server, {
        onReview: (params) => {
          seen.push({ offered: params.files.map((file) => file.path), changedOnDisk: files.filter((path) => !repo.read(path).equals(start.get(path) ?? Buffer.alloc(0))) });
          if (mode === 'step' && seen.length === 2) assert.equal(repo.text('src/calc.js'), s1Calc, 's1, accepted at the first review, is on disk');
          return acceptAll(params);
        },
      });
      try {
        await run.start('Describe calc.js better, then a clearer result format', mode);
        const finished = await run.log.waitFor('run/finished', undefined, 90000);
        assert.equal(finished.status, 'completed', finished.reason);
        if (mode === 'step') {
          // One review per step; at each, only what an earlier review accepted is on disk.
          assert.deepEqual(seen, [
            { offered: ['src/calc.js'], changedOnDisk: [] },
            { offered: ['src/format.js'], changedOnDisk: ['src/calc.js'] },
          ]);
          // s2 did not start before s1's review was answered.
          const order = run.log.events.map((event) => (event.type === 'review/decided' ? 'decided' : event.type === 'step/started' ? `start ${event.stepId}` : '')).filter((entry) => entry !== '');
          assert.deepEqual(order, ['start s1', 'decided', 'start s2', 'decided']);
        } else {
          assert.deepEqual(seen, [{ offered: ['src/calc.js', 'src/format.js'], changedOnDisk: [] }]);
        }
        // Both steps were verified before they were offered; after approval, both landed.
        assert.deepEqual(run.log.of('verification').map((event) => [event.stepId ?? 'baseline', event.evidence.verdict]), [['baseline', 'passed'], ['s1', 'passed'], ['s2', 'passed']]);
        assert.equal(repo.text('src/calc.js'), s1Calc);
        assert.equal(repo.text('src/format.js'), s2Format);
        assert.deepEqual([...finished.applied].sort(), ['src/calc.js', 'src/format.js']);
        for (const path of files.filter((candidate) => !candidate.startsWith('src/'))) assert.ok(repo.read(path).equals(start.get(path) ?? Buffer.alloc(0)), `${path} is untouched`);
      } finally {
        await run.close();
        await server.close();
        repo.remove();
      }
    });
  }

  test("the user's unsaved buffer is what gets verified, edited and landed (disk = buffer + the accepted change)", { timeout: 120000 }, async () => {
    // On disk multiply adds (its test fails); the user has fixed it in the editor without saving.
    const buffer = fixtureText('calc', 'src/calc.js');
    const onDisk = buffer.replace('function multiply(a, b) {\n  return a * b;', 'function multiply(a, b) {\n  return a + b;');
    const repo = makeVerifiedRepo('calc', { 'src/calc.js': onDisk });
    assert.notEqual(runSuite(repo).status, 0, 'the suite fails on the disk version');
    const diskAtReview: string[] = [];
    const server = await startFake('verified-buffer');
    const run = await startVerifySession(repo, server, {
      onReview: (params) => {
        diskAtReview.push(repo.text('src/calc.js'));
        return acceptAll(params);
      },
    });
    try {
      await run.openBuffer('src/calc.js', onDisk, buffer);
      const { runId } = await run.start('Add square', 'end');
      const finished = await run.log.waitFor('run/finished', undefined, 90000);
      assert.equal(finished.status, 'completed', finished.reason);

      // The baseline ran on the buffer: no failure, nothing pre-existing, no note.
      const [baseline] = verifications(run.log, undefined);
      assert.equal(baseline?.evidence.verdict, 'passed');
      assert.deepEqual(baseline?.evidence.preexistingFailures, []);
      assert.doesNotMatch(repo.planMarkdown(runId), /Before the run:/);
      // The worker was shown the buffer, its edit (which matches only the buffer) applied, and the step passed.
      assert.match(firstUserText(requestsOf(server, 'worker-s1')[0]!), /function multiply\(a, b\) \{\n {2}return a \* b;/);
      assert.deepEqual(run.log.of('tool/result').filter((event) => event.stepId === 's1').map((event) => [event.tool, event.ok]), [['edit_file', true], ['finish', true]]);
      assert.deepEqual(verifications(run.log, 's1').map((event) => event.evidence.verdict), ['passed']);

      // Nothing touched the disk before approval; then the server wrote buffer + the change.
      assert.deepEqual(diskAtReview, [onDisk]);
      const expected = buffer
        .replace('function multiply(a, b) {\n  return a * b;\n}', 'function multiply(a, b) {\n  return a * b;\n}\n\nfunction square(a) {\n  return multiply(a, a);\n}')
        .replace(exportsLine, 'module.exports = { add, subtract, multiply, divide, negate, square };');
      assert.equal(repo.text('src/calc.js'), expected);
      const suite = runSuite(repo);
      assert.equal(suite.status, 0, suite.output);
    } finally {
      await run.close();
      await server.close();
      repo.remove();
    }
  });

  test('accepting the first hunk by its id and rejecting the second lands exactly the first', { timeout: 120000 }, async () => {
    await reviewTwoHunks(
      (params) => ({ decisions: [{ path: 'src/calc.js', hunks: [params.files[0]?.hunks[0]?.id ?? ''] }] }),
      ({ original, calc, decided }) => {
        assert.equal(calc, original.replace(header, '// Arithmetic helpers: add, subtract, multiply, divide, negate, square.'));
        assert.deepEqual(decided.applied, [{ path: 'src/calc.js', hunks: 1, of: 2 }]);
        assert.deepEqual(decided.rejected, ['src/calc.js']);
        assert.deepEqual(decided.conflicts, []);
      },
    );
  });

  test('a decision naming a hunk id the file does not have is ignored and reported: the report counts what landed', { timeout: 120000 }, async () => {
    await reviewTwoHunks(
      (params) => ({ decisions: [{ path: 'src/calc.js', hunks: [params.files[0]?.hunks[0]?.id ?? '', 'src/calc.js#7,1+7,1~00000000'] }] }),
      ({ original, calc, decided }) => {
        assert.equal(calc, original.replace(header, '// Arithmetic helpers: add, subtract, multiply, divide, negate, square.'));
        assert.deepEqual(decided.applied, [{ path: 'src/calc.js', hunks: 1, of: 2 }]);
        assert.deepEqual(decided.rejected, ['src/calc.js']);
        assert.deepEqual(decided.ignored, ['src/calc.js#7,1+7,1~00000000']);
      },
    );
  });

  test('a change the user made inside an accepted hunk during review is kept, and reported as a conflict', { timeout: 120000 }, async () => {
    let userVersion = '';
    await reviewTwoHunks(
      (params, path) => {
        // While the review is open, the user rewrites the header comment: a line hunk 0 replaces.
        userVersion = readFileSync(path, 'utf8').replace(header, '// Arithmetic helpers, described by hand.');
        writeFileSync(path, userVersion);
        return acceptAll(params);
      },
      ({ calc, decided }) => {
        assert.equal(calc, userVersion, "the user's version is kept as it is");
        assert.deepEqual(decided.applied, []);
        assert.deepEqual(decided.rejected, []);
        assert.deepEqual(decided.conflicts.map((conflict) => conflict.path), ['src/calc.js']);
        assert.match(decided.conflicts[0]?.reason ?? '', /changed after the proposal was made/);
      },
    );
  });

  test('a change the user made elsewhere in the file during review is kept, with the accepted hunks placed around it', { timeout: 120000 }, async () => {
    const userLine = "  if (b === 0) throw new RangeError('cannot divide by zero');";
    await reviewTwoHunks(
      (params, path) => {
        // Between the two hunks (and their context lines): divide's guard.
        writeFileSync(path, readFileSync(path, 'utf8').replace("  if (b === 0) throw new RangeError('division by zero');", userLine));
        return acceptAll(params);
      },
      ({ original, calc, decided }) => {
        const expected = original
          .replace(header, '// Arithmetic helpers: add, subtract, multiply, divide, negate, square.')
          .replace("  if (b === 0) throw new RangeError('division by zero');", userLine)
          .replace(exportsLine, squareAndExports);
        assert.equal(calc, expected);
        assert.deepEqual(decided.applied, [{ path: 'src/calc.js', hunks: 2, of: 2 }]);
        assert.deepEqual(decided.conflicts, []);
      },
    );
  });
});
