/**
 * Tests a step made pass by asking less of them. The baseline comparison catches a test that stops
 * running (removed, skipped, a file that exits early); a test that still runs by its name but no
 * longer checks anything passes it. Two forms are read from the change itself:
 * - an assertion that cannot fail: the same expression on both sides (`assert.equal(x, x)`,
 *   `expect(x).toBe(x)`, `self.assertEqual(x, x)`, `assert x == x`) or a constant truth
 *   (`assert.ok(true)`, `expect(true).toBe(true)`, `assert True`);
 * - existing test files that check less: across the step's test files, fewer assertion calls than
 *   before while no fewer tests are defined (removing a whole test is the baseline comparison's
 *   to judge; a rename inside an assertion changes no count).
 * Like verdictSteering.ts, of which it is a part, it is a tripwire for the plain forms: weakening an
 * expectation (`toBe(1)` → `toBeDefined()`) is left to the user's review of test changes.
 */
import { isTestFilePath } from './testFileNames';

/** One operand: a name, member access, call with simple arguments, string or number. */
const OPERAND = String.raw`(?:[\w$.'"\`\[\]]+(?:\([^()]*\))?)`;

/** Assertions that cannot fail, as added lines. */
export const ALWAYS_PASSING: readonly RegExp[] = [
  // assert.equal(x, x), assert.deepStrictEqual(x, x), t.is(x, x), t.deepEqual(x, x)
  new RegExp(String.raw`\b(?:assert|t|chai\.assert)\s*\.\s*(?:equal|strictEqual|deepEqual|deepStrictEqual|is|same|eql|equals)\s*\(\s*(${OPERAND})\s*,\s*\1\s*[,)]`),
  // expect(x).toBe(x), expect(x).to.equal(x), expect(x).toStrictEqual(x)
  new RegExp(String.raw`\bexpect\s*\(\s*(${OPERAND})\s*\)(?:\s*\.\s*(?:to|be|been|is|that|and|deep|not\b(?!\s*\.))\b)*\s*\.\s*(?:toBe|toEqual|toStrictEqual|equal|equals|eql)\s*\(\s*\1\s*\)`),
  // self.assertEqual(x, x), self.assertIs(x, x)
  new RegExp(String.raw`\bself\s*\.\s*assert(?:Equal|Equals|Is|CountEqual|DictEqual|ListEqual)\s*\(\s*(${OPERAND})\s*,\s*\1\s*[,)]`),
  // assert x == x (Python)
  new RegExp(String.raw`^\s*assert\s+(${OPERAND})\s*(?:==|is)\s*\1\s*(?:,|#|$)`),
  // A constant truth.
  /\bassert(?:\s*\.\s*ok)?\s*\(\s*(?:true|1|!0|!!1|'[^']+'|"[^"]+")\s*[,)]/,
  /\bexpect\s*\(\s*(?:true|1|!0)\s*\)\s*\.\s*(?:toBe\s*\(\s*(?:true|1)\s*\)|toBeTruthy\s*\(\s*\)|to\s*\.\s*be\s*\.\s*(?:true|ok)\b)/,
  /^\s*assert\s+(?:True|1|not\s+False|not\s+None)\s*(?:,|#|$)/,
  /\bself\s*\.\s*assertTrue\s*\(\s*(?:True|1)\s*[,)]/,
];

/** An assertion call in a test file (lines that are comments do not count). */
const ASSERTION_CALL = /\b(?:assert(?:\s*\.\s*\w+)?|expect|self\s*\.\s*assert\w*|t\s*\.\s*(?:is|not|true|false|truthy|falsy|deepEqual|throws\w*|regex|like|assert)|should)\s*\(|^\s*assert\s+\S/g;
/** A test defined in a test file. */
const TEST_DEFINITION = /\b(?:it|test|specify)(?:\s*\.\s*(?:only|concurrent))?\s*\(|^\s*(?:async\s+)?def\s+test\w*\s*\(|^func\s+Test\w*\s*\(/g;

function isComment(line: string): boolean {
  return /^\s*(?:\/\/|#|\*|\/\*)/.test(line);
}

function count(pattern: RegExp, lines: readonly string[]): number {
  let total = 0;
  for (const line of lines) {
    if (isComment(line)) continue;
    total += line.slice(0, 4000).match(pattern)?.length ?? 0;
  }
  return total;
}

export interface TestFileText {
  readonly path: string;
  /** Undefined for a file the step created. */
  readonly oldLines: readonly string[] | undefined;
  /** Undefined for a file the step deleted. */
  readonly newLines: readonly string[] | undefined;
}

/**
 * Whether the step's existing test files, taken together, hold fewer assertions than before while
 * defining no fewer tests: `{ before, after }` assertion counts, or undefined.
 */
export function assertionsDropped(files: readonly TestFileText[]): { readonly before: number; readonly after: number } | undefined {
  const existing = files.filter((file) => isTestFilePath(file.path) && file.oldLines !== undefined);
  if (existing.length === 0) return undefined;
  const sum = (pattern: RegExp, side: 'oldLines' | 'newLines'): number => existing.reduce((total, file) => total + count(pattern, file[side] ?? []), 0);
  const before = sum(ASSERTION_CALL, 'oldLines');
  const after = sum(ASSERTION_CALL, 'newLines');
  if (after >= before) return undefined;
  // Tests removed take their assertions with them; whether they may go is the baseline comparison's call.
  if (sum(TEST_DEFINITION, 'newLines') < sum(TEST_DEFINITION, 'oldLines')) return undefined;
  return { before, after };
}
