import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docPath, generateReliabilityDoc, testTitles } from '../../scripts/reliability-doc';
import { repoRoot } from './support/bundles';

test('docs/reliability.md is what the case table and the tests generate (run npm run docs:reliability)', () => {
  const { markdown } = generateReliabilityDoc(repoRoot);
  assert.equal(readFileSync(join(repoRoot, docPath), 'utf8'), markdown);
});

test('every test the reliability matrix names exists, and every adversarial test proves a case', () => {
  assert.deepEqual(generateReliabilityDoc(repoRoot).problems, []);
});

test('the title reader and the checker catch a renamed test, a missing file and an unlisted adversarial test', () => {
  assert.deepEqual(testTitles("test('one', () => {});\nit(\"it's two\", async () => {});\ntest(`${name} three`, { timeout: 1 }, () => {});\n  test('don\\'t', () => {});"), ['one', "it's two", '${name} three', "don't"]);
  const problems = generateReliabilityDoc(repoRoot, [
    { area: 'A', case: 'renamed', proofs: [{ file: 'test/integration/adversarial.git.test.ts', titles: ['a title that is not there'] }] },
    { area: 'A', case: 'missing', proofs: [{ file: 'test/integration/adversarial.nothing.test.ts', titles: ['x'] }] },
    { area: 'A', case: 'pending', proofs: [{ file: 'test/integration/adversarial.later.test.ts', titles: [] }], pending: 'later' },
  ]).problems;
  assert.ok(problems.includes('test/integration/adversarial.git.test.ts has no test titled "a title that is not there"'), problems.join('\n'));
  assert.ok(problems.includes('test/integration/adversarial.nothing.test.ts does not exist (case: missing)'));
  assert.ok(!problems.some((problem) => problem.includes('adversarial.later')), 'a pending case may name a file that does not exist yet');
  assert.ok(problems.some((problem) => /adversarial\.paths\.test\.ts: ".+" is in no case/.test(problem)), 'an unlisted adversarial test is reported');
});
