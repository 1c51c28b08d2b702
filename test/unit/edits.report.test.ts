import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatEditReport } from '../../src/agent/edits/formatEditReport';
import { applySearchReplace } from '../../src/agent/edits/searchReplace';

const file = ['import x from "x";', '', 'export function total(items) {', '  let sum = 0;', '  for (const item of items) sum += item.price;', '  return sum;', '}', ''].join('\n');

describe('formatEditReport', () => {
  test('a single applied block', () => {
    const outcome = applySearchReplace(file, [{ oldText: '  return sum;', newText: '  return Math.round(sum);' }]);
    assert.equal(formatEditReport(outcome, { path: 'src/total.js' }), [
      'Edited src/total.js: the block was applied.',
      'Block: applied (exact match) at line 6; now line 6.',
    ].join('\n'));
  });

  test('several blocks, one re-indented, line ranges old and new', () => {
    const outcome = applySearchReplace(file, [
      { oldText: 'let sum = 0;\nfor (const item of items) sum += item.price;', newText: 'let sum = 0;\nfor (const item of items) {\n  sum += item.price;\n}' },
      { oldText: 'import x from "x";\n', newText: '' },
    ]);
    assert.equal(formatEditReport(outcome, { path: 'a.js' }), [
      'Edited a.js: all 2 blocks were applied.',
      'Block 1: applied (matched ignoring leading/trailing whitespace, re-indented from no indentation to 2 spaces) at lines 4-5; now lines 3-6.',
      'Block 2: applied (exact match) at line 1; removed.',
    ].join('\n'));
  });

  test('a failure quotes the closest lines with line numbers and the first difference', () => {
    const outcome = applySearchReplace(file, [
      { oldText: '  let total = 0;\n  for (const item of items) sum += item.price;', newText: 'x' },
      { oldText: '  return sum;', newText: '  return sum || 0;' },
    ]);
    const report = formatEditReport(outcome, { path: 'a.js' });
    assert.equal(report, [
      'Edited a.js partially: 1 of 2 blocks applied, 1 failed.',
      'Block 1 FAILED: old_text was not found in the file, not even ignoring leading/trailing whitespace. Copy the closest lines below exactly (without the line-number prefixes) and retry this block.',
      '  Closest lines in the file (79% similar), lines 4-5:',
      '  4 |   let sum = 0;',
      '  5 |   for (const item of items) sum += item.price;',
      '  First difference at line 4: the file has "  let sum = 0;" where old_text has "  let total = 0;".',
      'Block 2: applied (exact match) at line 6; now line 6.',
      'The applied blocks are already in the file: resend only the failed blocks, matched against the file as it is now.',
    ].join('\n'));
  });

  test('an ambiguous block lists the matching lines', () => {
    const outcome = applySearchReplace('a\nx\na\n', [{ oldText: 'a', newText: 'b' }]);
    const report = formatEditReport(outcome, { path: 'f' });
    assert.match(report, /^No change to f: no block could be applied\./);
    assert.match(report, /Block 1 FAILED: old_text matches 2 places exactly \(lines 1, 3\)/);
    assert.match(report, /Nothing was written/);
  });

  test('a no-op is reported as no change, never as an edit', () => {
    const outcome = applySearchReplace(file, [{ oldText: '  return sum;', newText: '  return sum;' }]);
    const report = formatEditReport(outcome, { path: 'a.js' });
    assert.equal(report, [
      'No change to a.js: the 1 block that matched replaced text with identical text.',
      'Block: matched line 6 but changed nothing (the new text equals the old).',
    ].join('\n'));
    assert.doesNotMatch(report, /Edited|success/i);
  });

  test('no blocks at all', () => {
    assert.equal(formatEditReport(applySearchReplace(file, []), { path: 'a.js' }), 'No change to a.js: no edit blocks were given.');
  });

  test('long candidates are cut at maxQuotedLines', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line number ${i}`);
    const wanted = lines.map((line) => `${line}!`).join('\n');
    const report = formatEditReport(applySearchReplace(lines.join('\n'), [{ oldText: wanted, newText: '' }]), { path: 'f', maxQuotedLines: 5 });
    assert.match(report, / {2}5 \| line number 4\n {2}… 45 more lines/);
    assert.doesNotMatch(report, /line number 5\n/);
  });
});
