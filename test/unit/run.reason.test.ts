import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlanStep } from '../../src/protocol/plan';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { describeFailingTests, unfinishedStepsReason } from '../../src/agent/run/runReason';

const step = (id: string, title: string, status: PlanStep['status'], error?: string): PlanStep => ({
  id, title, status, instructions: 'x', files: [], dependsOn: [], attempts: [], changedFiles: [], ...(error !== undefined ? { error } : {}),
});

const evidence = (overrides: Partial<TestEvidence>): TestEvidence => ({
  verdict: 'failed', reason: 'New failures: a, b.', command: 'node --test', exitCode: 1, durationMs: 1, excerpt: '', newFailures: [], preexistingFailures: [], locations: [], ...overrides,
});

describe('what a failed run says at the end', () => {
  test('one step: its id, title and error, not a count', () => {
    assert.equal(unfinishedStepsReason([step('s2', 'Clearer format', 'failed', 'The step still failed verification after 3 attempts: New failures: formats.')]), 'Step s2 (Clearer format) failed: The step still failed verification after 3 attempts: New failures: formats.');
  });

  test('several steps: each named, a skipped one with why, an error-less one said so', () => {
    assert.equal(
      unfinishedStepsReason([step('s1', 'Add', 'failed', 'The worker is blocked: no access'), step('s2', 'Use it', 'skipped', 'blocked by s1'), step('s3', 'Other', 'failed')]),
      '3 steps did not complete. s1 (Add) failed: The worker is blocked: no access. s2 (Use it) was skipped: blocked by s1. s3 (Other) failed: no reason was recorded.',
    );
  });

  test('the failing tests, where (relative to the workspace) and why, new failures only, at most three', () => {
    const root = '/home/ada/shop';
    const located = evidence({
      newFailures: ['adds', 'rounds', 'formats', 'parses'],
      locations: [
        { name: 'adds', file: `${root}/test/calc.test.js`, line: 6, message: 'Expected values to be strictly equal:\n\n-5 !== 5\n' },
        { name: 'old', file: `${root}/test/old.test.js`, line: 1, message: 'failed before the run' },
        { name: 'rounds', file: 'test/round.test.js' },
        { name: 'formats', file: `${root}/test/f.test.js`, line: 2, message: 'x'.repeat(400) },
        { name: 'parses', file: `${root}/test/p.test.js` },
      ],
    });
    const text = describeFailingTests(located, root);
    assert.match(text, /^adds \(test\/calc\.test\.js:6\): Expected values to be strictly equal: -5 !== 5; rounds \(test\/round\.test\.js\); formats \(test\/f\.test\.js:2\): x{159}…; and 1 more$/);
    assert.equal(describeFailingTests(evidence({ newFailures: ['a'] }), root), '', 'no location: the reason names the tests already');
  });
});
