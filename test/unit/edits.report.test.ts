import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatEditReport } from '../../src/agent/edits/formatEditReport';
import { applySearchReplace } from '../../src/agent/edits/searchReplace';

const file = ['import x from "x";', '', 'export function total(items) {', '  let sum = 0;', '  for (const item of items) sum += item.price;', '  return sum;', '}', ''].join('\n');

describe('formatEditReport', () => {
  test('a single applied hunk', () => {
    const outcome = applySearchReplace(file, [{ oldText: '  return sum;', newText: '  return Math.round(sum);' }]);
    assert.equal(formatEditReport(outcome, { path: 'src/total.js' }), [
      'Edited src/total.js: the hunk was applied.',
      'Hunk: applied (exact match) at line 6; now line 6.',
    ].join('\n'));
  });

  test('several hunks, one re-indented, line ranges old and new', () => {
    const outcome = applySearchReplace(file, [
      { oldText: 'let sum = 0;\nfor (const item of items) sum += item.price;', newText: 'let sum = 0;\nfor (const item of items) {\n  sum += item.price;\n}' },
      { oldText: 'import x from "x";\n', newText: '' },
    ]);
    assert.equal(formatEditReport(outcome, { path: 'a.js' }), [
      'Edited a.js: all 2 hunks were applied.',
      'Hunk 1: applied (matched ignoring leading/trailing whitespace, re-indented from no indentation to 2 spaces) at lines 4-5; now lines 3-6.',
      'Hunk 2: applied (exact match) at line 1; removed.',
    ].join('\n'));
  });

  test('a failure quotes the closest lines with line numbers (as read_file prefixes them) and the first difference', () => {
    const outcome = applySearchReplace(file, [
      { oldText: '  let total = 0;\n  for (const item of items) sum += item.price;', newText: 'x' },
      { oldText: '  return sum;', newText: '  return sum || 0;' },
    ]);
    const report = formatEditReport(outcome, { path: 'a.js', labels: ['-let total = 0;', '-return sum;'] });
    assert.equal(report, [
      'Edited a.js partially: 1 of 2 hunks applied, 1 failed.',
      'Hunk 1 (-let total = 0;) FAILED: its context and "-" lines were not found in the file, not even ignoring leading/trailing whitespace. Copy the closest lines below exactly (without the line-number prefixes) and retry this hunk.',
      '  Closest lines in the file (79% similar), lines 4-5:',
      '  4│  let sum = 0;',
      '  5│  for (const item of items) sum += item.price;',
      '  First difference at line 4: the file has "  let sum = 0;" where the hunk has "  let total = 0;".',
      'Hunk 2 (-return sum;): applied (exact match) at line 6; now line 6.',
      'The applied hunks are already in the file: resend only the failed hunks, matched against the file as it is now.',
    ].join('\n'));
  });

  test('an ambiguous hunk lists the matching lines', () => {
    const outcome = applySearchReplace('a\nx\na\n', [{ oldText: 'a', newText: 'b' }]);
    const report = formatEditReport(outcome, { path: 'f' });
    assert.match(report, /^No change to f: no hunk could be applied\./);
    assert.match(report, /Hunk 1 FAILED: its context and "-" lines match 2 places exactly \(lines 1, 3\)\. Add more context lines/);
    assert.match(report, /Nothing was written/);
  });

  test('a no-op is reported as no change, never as an edit', () => {
    const outcome = applySearchReplace(file, [{ oldText: '  return sum;', newText: '  return sum;' }]);
    const report = formatEditReport(outcome, { path: 'a.js' });
    assert.equal(report, [
      'No change to a.js: the 1 hunk that matched replaced lines with identical lines.',
      'Hunk: matched line 6 but changed nothing (its "+" lines equal its "-" lines).',
    ].join('\n'));
    assert.doesNotMatch(report, /Edited|success/i);
  });

  test('no hunks at all', () => {
    assert.equal(formatEditReport(applySearchReplace(file, []), { path: 'a.js' }), 'No change to a.js: no hunks were given.');
  });

  test('long candidates are cut at maxQuotedLines', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line number ${i}`);
    const wanted = lines.map((line) => `${line}!`).join('\n');
    const report = formatEditReport(applySearchReplace(lines.join('\n'), [{ oldText: wanted, newText: '' }]), { path: 'f', maxQuotedLines: 5 });
    assert.match(report, / {3}5│line number 4\n {2}… 45 more lines/);
    assert.doesNotMatch(report, /line number 5\n/);
  });
  test('a near miss on a 100,000-character line gives a bounded report that shows where the lines differ (issue 14, item 9)', () => {
    const long = 'x'.repeat(60_000) + 'HERE' + 'y'.repeat(40_000);
    const outcome = applySearchReplace(`start\n${long}\nend\n`, [{ oldText: `start\n${long.replace('HERE', 'THERE')}\nend\n`, newText: 'gone\n' }], { wholeLines: true });
    const report = formatEditReport(outcome, { path: 'big.txt', labels: [`-${long}`] });
    assert.ok(report.length < 3_000, `the report has ${report.length} characters`);
    assert.match(report, /… 99,\d{3} characters omitted …/, 'a quoted line says how much was cut');
    assert.match(report, /First difference at line 2: the file has "… 59,\d{3} characters omitted …x+HEREy+… \d{2},\d{3} characters omitted …" where the hunk has "… 59,\d{3} characters omitted …x+THEREy+… \d{2},\d{3} characters omitted …"\./);
    assert.doesNotMatch(report, /[xy]{300}/, 'no quoted run is longer than the cap');
  });

  test('many failing hunks on long lines: the whole report is capped, and still ends with what to do', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(2, '0')}${'z'.repeat(5_000)}`);
    const blocks = lines.map((line) => ({ oldText: `${line}!\n`, newText: 'x\n' }));
    const report = formatEditReport(applySearchReplace(lines.join('\n'), blocks, { wholeLines: true }), { path: 'f' });
    assert.ok(report.length <= 12_000, `the report has ${report.length} characters`);
    assert.match(report, /\n… [\d,]+ characters omitted …\nNothing was written\. Fix the failed hunks and resend them\.$/);
  });
});
