// Issue 14, item 6: an edit changes only the lines it names. Context lines keep the file's bytes
// (indentation, trailing whitespace, line terminator) however the patch spelled them; added lines
// take the file's line ending and, after a whitespace-tolerant match, the file's indentation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hunkToBlock, parsePatch } from '../../src/agent/edits/parsePatch';
import { applySearchReplace, type AppliedBlock, type EditOutcome } from '../../src/agent/edits/searchReplace';

function patch(text: string, patchText: string): EditOutcome {
  const parsed = parsePatch(patchText);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return applySearchReplace(text, parsed.hunks.map((hunk) => hunkToBlock(hunk)), { wholeLines: true });
}

function applied(outcome: EditOutcome): AppliedBlock {
  const block = outcome.blocks[0];
  assert.equal(block?.status, 'applied', block?.status === 'failed' ? block.message : 'no block');
  return block;
}

describe('edits change only the lines they name', () => {
  const tabbed = 'function f(x) {\n\tif (x) {\n\t\treturn 0;\n\t}\n\t\treturn 1;\n}\n';

  test('a tab-indented file and a space-indented patch: the untouched context line keeps its tabs, added lines get tabs', () => {
    const outcome = patch(tabbed, [
      ' function f(x) {',
      '     if (x) {',
      '-        return 0;',
      '+        log(x);',
      '+        if (x > 1) {',
      '+            return 2;',
      '+        }',
      '     }',
      '         return 1;',
    ].join('\n'));
    assert.equal(applied(outcome).match, 'whitespace-tolerant');
    assert.equal(outcome.text, 'function f(x) {\n\tif (x) {\n\t\tlog(x);\n\t\tif (x > 1) {\n\t\t\treturn 2;\n\t\t}\n\t}\n\t\treturn 1;\n}\n');
  });

  test('a space-indented file and a tab-indented patch: added lines get the file\'s spaces', () => {
    const outcome = patch('class A {\n  run() {\n    go();\n  }\n}\n', ' \trun() {\n-\t\tgo();\n+\t\tgo(1);\n+\t\tif (x) {\n+\t\t\tstop();\n+\t\t}\n \t}');
    assert.equal(outcome.text, 'class A {\n  run() {\n    go(1);\n    if (x) {\n      stop();\n    }\n  }\n}\n');
  });

  test('context lines keep the file\'s trailing whitespace, whichever way the patch differs', () => {
    // The file has trailing spaces the patch left out, and lacks the ones the patch added.
    const outcome = patch('keep();   \nold();\nalso();\n', ' keep();\n-old();\n+new();\n also();  ');
    assert.equal(applied(outcome).match, 'whitespace-tolerant');
    assert.equal(outcome.text, 'keep();   \nnew();\nalso();\n');
  });

  test('in a file with mixed line endings, an untouched context line keeps its own terminator', () => {
    // CRLF dominates; "two" ends with LF and is only context.
    const outcome = patch('one\r\ntwo\nthree\r\nfour\r\n', ' one\n two\n-three\n+THREE\n+3b');
    assert.equal(applied(outcome).match, 'exact');
    assert.equal(outcome.text, 'one\r\ntwo\nTHREE\r\n3b\r\nfour\r\n');
  });

  test('a plain search/replace block keeps the bytes of the lines its old and new text share', () => {
    const outcome = applySearchReplace('a\r\nb\nc\r\n', [{ oldText: 'a\nb\nc\n', newText: 'a\nb\nC\n' }]);
    assert.equal(outcome.text, 'a\r\nb\nC\r\n');
    const tolerant = applySearchReplace('\tx();  \n\ty();\n', [{ oldText: 'x();\ny();', newText: 'x();\nz();' }]);
    assert.equal(tolerant.text, '\tx();  \n\tz();\n');
  });

  test('added lines replacing flattened lines take the indentation of the lines they replace', () => {
    // The model dropped all indentation from the lines it removes and adds.
    const outcome = patch('def f():\n    if a:\n        x()\n    return 1\n', '-if a:\n-x()\n+if b:\n+y()');
    assert.equal(outcome.text, 'def f():\n    if b:\n        y()\n    return 1\n');
  });

  test('after an exact match, added lines are written as the model wrote them', () => {
    const outcome = patch('\tkeep();\n', ' \tkeep();\n+    spaced();');
    assert.equal(outcome.text, '\tkeep();\n    spaced();\n');
  });
});
