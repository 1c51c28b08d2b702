import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applySearchReplace, type AppliedBlock, type BlockResult, type EditBlock, type FailedBlock } from '../../src/agent/edits/searchReplace';

const source = ['function a() {', '  return 1;', '}', '', 'function b() {', '  return 2;', '}', '', 'function c() {', '  return 3;', '}', ''].join('\n');

function applied(result: BlockResult | undefined): AppliedBlock {
  assert.equal(result?.status, 'applied', result?.status === 'failed' ? result.message : 'missing result');
  return result;
}
function failed(result: BlockResult | undefined): FailedBlock {
  assert.equal(result?.status, 'failed', 'expected the block to fail');
  return result;
}
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('applySearchReplace: locating and applying', () => {
  test('an exact block is applied and reports its line range', () => {
    const outcome = applySearchReplace(source, [{ oldText: '  return 2;', newText: '  return 20;' }]);
    assert.equal(outcome.text, source.replace('return 2;', 'return 20;'));
    assert.equal(outcome.changed, true);
    const block = applied(outcome.blocks[0]);
    assert.equal(block.match, 'exact');
    assert.deepEqual([block.startLine, block.endLine, block.newStartLine, block.newEndLine], [6, 6, 6, 6]);
  });

  test('block order does not matter: every permutation gives the same text and results', () => {
    const blocks: EditBlock[] = [
      { oldText: '  return 1;\n', newText: '  return 1;\n  // one\n' },
      { oldText: 'function b() {', newText: 'function bee() {' },
      { oldText: '  return 3;', newText: '  return 30;' },
    ];
    const expected = applySearchReplace(source, blocks);
    assert.equal(expected.appliedCount, 3);
    for (const order of permutations([0, 1, 2])) {
      const outcome = applySearchReplace(source, order.map((i) => blocks[i]!));
      assert.equal(outcome.text, expected.text, `order ${order.join(',')}`);
      const byOriginal = order.map((_, position) => outcome.blocks[order.indexOf(position)]);
      assert.deepEqual(byOriginal.map((b) => ({ ...b, index: 0 })), expected.blocks.map((b) => ({ ...b, index: 0 })));
    }
  });

  test('new line numbers account for blocks earlier in the file', () => {
    const outcome = applySearchReplace(source, [
      { oldText: '  return 3;', newText: '  return 30;' },
      { oldText: '  return 1;', newText: '  const x = 1;\n  return x;' },
    ]);
    const later = applied(outcome.blocks[0]);
    assert.deepEqual([later.startLine, later.newStartLine], [10, 11]);
    const earlier = applied(outcome.blocks[1]);
    assert.deepEqual([earlier.newStartLine, earlier.newEndLine], [2, 3]);
  });

  test('one failing block does not stop the others', () => {
    const outcome = applySearchReplace(source, [
      { oldText: '  return 1;', newText: '  return 10;' },
      { oldText: '  return 42;', newText: '  return 0;' },
      { oldText: '  return 3;', newText: '  return 30;' },
    ]);
    assert.equal(outcome.text, source.replace('return 1;', 'return 10;').replace('return 3;', 'return 30;'));
    assert.deepEqual(outcome.blocks.map((b) => b.status), ['applied', 'failed', 'applied']);
    assert.deepEqual([outcome.appliedCount, outcome.failedCount], [2, 1]);
  });

  test('overlapping blocks both fail, naming each other, while the rest apply', () => {
    const outcome = applySearchReplace(source, [
      { oldText: 'function a() {\n  return 1;', newText: 'X' },
      { oldText: '  return 3;', newText: '  return 30;' },
      { oldText: '  return 1;\n}', newText: 'Y' },
    ]);
    assert.equal(outcome.text, source.replace('return 3;', 'return 30;'));
    const first = failed(outcome.blocks[0]);
    const third = failed(outcome.blocks[2]);
    assert.equal(first.reason, 'overlap');
    assert.deepEqual(first.overlapsWith, [2]);
    assert.deepEqual(third.overlapsWith, [0]);
    assert.match(first.message, /overlaps the match of hunk 3/);
    applied(outcome.blocks[1]);
  });

  test('wholeLines: an exact match must start at a line start, so a hunk line is never found inside a longer line', () => {
    const text = 'const ab = 1;\nb = 1;\n';
    assert.equal(applySearchReplace(text, [{ oldText: 'b = 1;\n', newText: 'b = 2;\n' }]).blocks[0]?.status, 'failed');
    const outcome = applySearchReplace(text, [{ oldText: 'b = 1;\n', newText: 'b = 2;\n' }], { wholeLines: true });
    assert.equal(outcome.text, 'const ab = 1;\nb = 2;\n');
    assert.equal(applied(outcome.blocks[0]).match, 'exact');
  });

  test('adjacent blocks are not overlapping', () => {
    const outcome = applySearchReplace('ab\ncd\n', [{ oldText: 'ab\n', newText: 'AB\n' }, { oldText: 'cd', newText: 'CD' }]);
    assert.equal(outcome.text, 'AB\nCD\n');
    assert.equal(outcome.failedCount, 0);
  });

  test('a block matching nowhere fails with the closest region and the first difference', () => {
    const outcome = applySearchReplace(source, [{ oldText: 'function b() {\n  return 5;\n}', newText: 'nope' }]);
    assert.equal(outcome.changed, false);
    const block = failed(outcome.blocks[0]);
    assert.equal(block.reason, 'not-found');
    assert.match(block.message, /not found/);
    assert.deepEqual(block.candidate?.lines, ['function b() {', '  return 2;', '}']);
    assert.deepEqual([block.candidate?.startLine, block.candidate?.endLine], [5, 7]);
    assert.deepEqual(block.candidate?.firstDifference, { line: 6, file: '  return 2;', block: '  return 5;' });
  });

  test('nothing similar: no candidate is invented', () => {
    const block = failed(applySearchReplace(source, [{ oldText: 'zzzz qqqq', newText: '' }]).blocks[0]);
    assert.equal(block.candidate, undefined);
    assert.match(block.message, /No part of the file resembles them/);
  });

  test('closest-candidate search stays fast on a 10,000-line file', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => `  const value${i} = compute(${i}, "label ${i % 97}");`).join('\n');
    const started = performance.now();
    const outcome = applySearchReplace(big, [{ oldText: Array.from({ length: 30 }, (_, k) => `  const value${5000 + k} = compute(${5000 + k}, "label x");`).join('\n'), newText: '' }]);
    const elapsed = performance.now() - started;
    assert.equal(failed(outcome.blocks[0]).candidate?.startLine, 5001);
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  });

  test('a block matching several places fails with every line number and asks for context', () => {
    const block = failed(applySearchReplace(source, [{ oldText: '}\n\nfunction', newText: '' }]).blocks[0]);
    assert.equal(block.reason, 'ambiguous');
    assert.deepEqual(block.matches, [{ startLine: 3, endLine: 5 }, { startLine: 7, endLine: 9 }]);
    assert.match(block.message, /match 2 places exactly \(lines 3-5, 7-9\)\. Add more context lines/);
  });

  test('whitespace-tolerant matches can be ambiguous too', () => {
    const text = 'if (x) {\n    go();\n}\nif (x) {\n\tgo();\n}\n';
    const block = failed(applySearchReplace(text, [{ oldText: 'if (x) {\n  go();\n}', newText: '' }]).blocks[0]);
    assert.deepEqual(block.matches?.map((m) => m.startLine), [1, 4]);
    assert.match(block.message, /ignored/);
  });
});

describe('applySearchReplace: whitespace-tolerant matching', () => {
  const nested = 'class K {\n    method() {\n        if (ready) {\n            run();   \n        }\n    }\n}\n';

  test('a block indented 4 spaces less is matched and its replacement re-indented by +4', () => {
    const outcome = applySearchReplace(nested, [{
      oldText: '    if (ready) {\n        run();\n    }\n',
      newText: '    if (ready) {\n        run();\n        log();\n    }\n  // shallower\n',
    }]);
    const block = applied(outcome.blocks[0]);
    assert.equal(block.match, 'whitespace-tolerant');
    assert.deepEqual(block.reindent, { from: '    ', to: '        ' });
    assert.deepEqual([block.startLine, block.endLine, block.newStartLine, block.newEndLine], [3, 5, 3, 7]);
    // The context line keeps its own trailing spaces: only "-" and "+" lines change.
    assert.equal(outcome.text, 'class K {\n    method() {\n        if (ready) {\n            run();   \n            log();\n        }\n      // shallower\n    }\n}\n');
  });

  test('a block indented more than the file is shifted left', () => {
    const outcome = applySearchReplace('def f():\n    return 1\n', [{ oldText: '        return 1', newText: '        x = 1\n        return x' }]);
    assert.equal(outcome.text, 'def f():\n    x = 1\n    return x\n');
  });

  test('tabs in the file replace the model\'s spaces', () => {
    const outcome = applySearchReplace('func() {\n\tone()\n\ttwo()\n}\n', [{ oldText: '  one()\n  two()', newText: '  one()\n  three()' }]);
    assert.equal(outcome.text, 'func() {\n\tone()\n\tthree()\n}\n');
  });

  test('a tolerant deletion removes whole lines', () => {
    const outcome = applySearchReplace('a\n  b\n  c\nd\n', [{ oldText: 'b\nc\n', newText: '' }]);
    assert.equal(outcome.text, 'a\nd\n');
    const block = applied(outcome.blocks[0]);
    assert.ok(block.newEndLine < block.newStartLine, 'an empty new range');
  });

  test('the last line without a newline stays without one', () => {
    const outcome = applySearchReplace('x\n    last', [{ oldText: 'last', newText: 'final' }]);
    assert.equal(outcome.text, 'x\n    final');
    const tolerant = applySearchReplace('x\n    last  ', [{ oldText: 'x\n  last', newText: 'x\n  final\n  more' }]);
    assert.equal(applied(tolerant.blocks[0]).match, 'whitespace-tolerant');
    // The added lines replace "last", so they take its indentation in the file (4 spaces, not the model's 2).
    assert.equal(tolerant.text, 'x\n    final\n    more');
  });
});

describe('applySearchReplace: line endings', () => {
  const crlf = 'one\r\ntwo\r\nthree\r\n';

  test('a CRLF file edited with LF blocks keeps CRLF everywhere', () => {
    const outcome = applySearchReplace(crlf, [
      { oldText: 'one\ntwo\n', newText: 'one\n1.5\ntwo\n' },
      { oldText: 'three', newText: 'three\nfour' },
    ]);
    assert.equal(outcome.text, 'one\r\n1.5\r\ntwo\r\nthree\r\nfour\r\n');
    assert.doesNotMatch(outcome.text, /[^\r]\n/);
  });

  test('a tolerant match on a CRLF file writes CRLF', () => {
    const outcome = applySearchReplace('  a {\r\n      b;\r\n  }\r\n', [{ oldText: 'a {\nb;\n}', newText: 'a {\n    b;\n    c;\n}' }]);
    assert.equal(applied(outcome.blocks[0]).match, 'whitespace-tolerant');
    assert.equal(outcome.text, '  a {\r\n      b;\r\n      c;\r\n  }\r\n');
  });

  test('CRLF sent by the model still matches an LF file and is written as LF', () => {
    const outcome = applySearchReplace('a\nb\nc\n', [{ oldText: 'a\r\nb', newText: 'A\r\nB' }]);
    assert.equal(outcome.text, 'A\nB\nc\n');
  });

  test('CR-only files get CR', () => {
    assert.equal(applySearchReplace('a\rb\r', [{ oldText: 'a\n', newText: 'a\nz\n' }]).text, 'a\rz\rb\r');
  });

  test('the lineEnding option overrides detection', () => {
    assert.equal(applySearchReplace('', [{ oldText: '', newText: 'x\ny\n' }], { lineEnding: '\r\n' }).text, 'x\r\ny\r\n');
  });
});

describe('applySearchReplace: empty old text', () => {
  test('inserts into an empty file', () => {
    const outcome = applySearchReplace('', [{ oldText: '', newText: 'hello\n' }]);
    assert.equal(outcome.text, 'hello\n');
    assert.equal(outcome.changed, true);
    assert.equal(applied(outcome.blocks[0]).match, 'exact');
  });

  test('is refused on a non-empty file with a pointer to the right tool', () => {
    const outcome = applySearchReplace('content\n', [{ oldText: '', newText: 'everything else' }]);
    assert.equal(outcome.text, 'content\n');
    const block = failed(outcome.blocks[0]);
    assert.equal(block.reason, 'empty-old-text');
    assert.match(block.message, /create_file/);
    assert.match(block.message, /Add the unchanged lines around the insertion as context lines/);
  });

  test('two insertions into one empty file conflict', () => {
    const outcome = applySearchReplace('', [{ oldText: '', newText: 'a' }, { oldText: '', newText: 'b' }]);
    assert.equal(outcome.text, '');
    assert.deepEqual(outcome.blocks.map((b) => b.status === 'failed' && b.reason), ['overlap', 'overlap']);
  });

  test('a non-empty block on an empty file says the file is empty', () => {
    assert.match(failed(applySearchReplace('', [{ oldText: 'x', newText: 'y' }]).blocks[0]).message, /the file is empty/);
  });
});

describe('applySearchReplace: text is literal', () => {
  test('HTML entities are neither decoded nor encoded', () => {
    const outcome = applySearchReplace('const s = "a &amp; b";\n', [{ oldText: '"a &amp; b"', newText: '"a &amp;&lt; b"' }]);
    assert.equal(outcome.text, 'const s = "a &amp;&lt; b";\n');
    assert.equal(failed(applySearchReplace('x = "a &amp; b"', [{ oldText: '"a & b"', newText: '' }]).blocks[0]).reason, 'not-found');
  });

  test('backslash-n stays two characters', () => {
    const outcome = applySearchReplace('print("a\\nb")\n', [{ oldText: 'print("a\\nb")', newText: 'print("a\\n\\tb")' }]);
    assert.equal(outcome.text, 'print("a\\n\\tb")\n');
    assert.equal(outcome.text.split('\n').length, 2);
  });

  test('$&, $1, $$ and $\' in the new text are not replacement patterns', () => {
    const outcome = applySearchReplace('price = 5;\n', [{ oldText: 'price = 5;', newText: "price = '$&' + '$1' + '$$' + \"$'\";" }]);
    assert.equal(outcome.text, "price = '$&' + '$1' + '$$' + \"$'\";\n");
  });

  test('regex metacharacters in old text match literally', () => {
    const outcome = applySearchReplace('s.replace(/(a)+$/, "$1");\n', [{ oldText: '/(a)+$/, "$1"', newText: '/b/, "$&"' }]);
    assert.equal(outcome.text, 's.replace(/b/, "$&");\n');
  });
});

describe('applySearchReplace: no-op detection', () => {
  test('identical old and new text is applied as a no-op and changes nothing', () => {
    const outcome = applySearchReplace(source, [{ oldText: '  return 2;', newText: '  return 2;' }]);
    assert.equal(outcome.changed, false);
    assert.equal(outcome.text, source);
    assert.equal(applied(outcome.blocks[0]).noOp, true);
  });

  test('a tolerant no-op leaves the file\'s own whitespace alone', () => {
    const text = '    keep();   \n';
    const outcome = applySearchReplace(text, [{ oldText: 'keep();', newText: 'keep();' }]);
    assert.equal(outcome.text, text);
    assert.equal(outcome.changed, false);
  });

  test('when every block fails nothing changes', () => {
    const outcome = applySearchReplace(source, [{ oldText: 'missing', newText: 'x' }]);
    assert.deepEqual([outcome.changed, outcome.appliedCount, outcome.text], [false, 0, source]);
  });

  test('a real change next to a no-op is a change', () => {
    const outcome = applySearchReplace(source, [{ oldText: '  return 1;', newText: '  return 1;' }, { oldText: '  return 2;', newText: '  return 0;' }]);
    assert.equal(outcome.changed, true);
    assert.deepEqual(outcome.blocks.map((b) => b.status === 'applied' && b.noOp), [true, false]);
  });
});
