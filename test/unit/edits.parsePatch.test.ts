import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hunkLabel, hunkToBlock, maxHunks, parsePatch, type ParsedPatch, type PatchHunk } from '../../src/agent/edits/parsePatch';

function hunks(parsed: ParsedPatch): readonly PatchHunk[] {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.hunks;
}

function blocks(patch: string): { oldText: string; newText: string }[] {
  return hunks(parsePatch(patch)).map((hunk) => hunkToBlock(hunk));
}

function error(patch: string): string {
  const parsed = parsePatch(patch);
  assert.ok(!parsed.ok, 'the patch should be refused');
  return parsed.error;
}

describe('parsePatch: hunks to blocks', () => {
  test('one hunk without a leading @@: old = context and - lines, new = context and + lines', () => {
    assert.deepEqual(blocks(' function f() {\n-  return 1;\n+  return 2;\n }'), [
      { oldText: 'function f() {\n  return 1;\n}\n', newText: 'function f() {\n  return 2;\n}\n' },
    ]);
  });

  test('@@ lines separate hunks and whatever follows @@ is ignored', () => {
    const parsed = parsePatch('@@ -1,3 +1,3 @@ function f\n-a\n+A\n@@\n-b\n+B\n@@ anything at all\n c\n-d\n');
    assert.deepEqual(hunks(parsed).map((hunk) => hunk.number), [1, 2, 3]);
    assert.deepEqual(hunks(parsed).map((hunk) => hunkToBlock(hunk)), [
      { oldText: 'a\n', newText: 'A\n' },
      { oldText: 'b\n', newText: 'B\n' },
      { oldText: 'c\nd\n', newText: 'c\n' },
    ]);
  });

  test('an empty line inside a hunk is a blank context line; empty lines between hunks are spacing', () => {
    assert.deepEqual(blocks('\n-a\n\n+b\n\n@@\n\n-c\n+C\n\n'), [
      { oldText: 'a\n\n', newText: '\nb\n' },
      { oldText: 'c\n', newText: 'C\n' },
    ]);
    // A context line written with its space is kept even at the hunk's edge.
    assert.deepEqual(blocks('-a\n+A\n '), [{ oldText: 'a\n\n', newText: 'A\n\n' }]);
  });

  test('"\\ No newline at end of file" and "*** End of File" lines are ignored', () => {
    assert.deepEqual(blocks('-last\n\\ No newline at end of file\n+final\n\\ No newline at end of file\n*** End of File'), [{ oldText: 'last\n', newText: 'final\n' }]);
  });

  test('a unified diff header pair and an apply_patch wrapper are skipped, not read as - and + lines', () => {
    assert.deepEqual(blocks('--- a/src/x.js\n+++ b/src/x.js\n@@ -1 +1 @@\n-x\n+y\n'), [{ oldText: 'x\n', newText: 'y\n' }]);
    assert.deepEqual(blocks('*** Begin Patch\n*** Update File: src/x.js\n@@\n-x\n+y\n*** End Patch\n'), [{ oldText: 'x\n', newText: 'y\n' }]);
    // Without its +++ partner a "--- " line is a removed line ("-- " in the file).
    assert.deepEqual(blocks('--- note\n+-- Note'), [{ oldText: '-- note\n', newText: '-- Note\n' }]);
  });

  test('CRLF and lone CR in the patch string end lines like LF', () => {
    assert.deepEqual(blocks(' keep\r\n-old\r\n+new\r\n@@\r\n-x\r+y\r'), [
      { oldText: 'keep\nold\n', newText: 'keep\nnew\n' },
      { oldText: 'x\n', newText: 'y\n' },
    ]);
  });

  test('a hunk of + lines only has empty old text (an insertion into an empty file)', () => {
    assert.deepEqual(blocks('+first\n+second'), [{ oldText: '', newText: 'first\nsecond\n' }]);
  });

  test('the matchable transform applies to context and - lines on the old side and to context lines on the new side, never to + lines', () => {
    const [hunk] = hunks(parsePatch(' ctx\n-del\n+add'));
    assert.ok(hunk);
    assert.deepEqual(hunkToBlock(hunk, (text) => text.toUpperCase()), { oldText: 'CTX\nDEL\n', newText: 'CTX\nadd\n' });
  });

  test('a hunk is labelled by its first context or - line', () => {
    const labels = hunks(parsePatch('+new\n   return 1;\n-x\n@@\n-  gone();\n@@\n+only')).map(hunkLabel);
    assert.deepEqual(labels, [' return 1;', '-gone();', '+only']);
  });
});

describe('parsePatch: refusals', () => {
  test('a line with another first character names the hunk and the patch line, and says what lines start with', () => {
    const message = error('-a\n+b\n@@\n-c\nd = 1;\n+e');
    assert.match(message, /^patch line 5 \(hunk 2\) starts with "d": "d = 1;"\./);
    assert.match(message, /" " \(an unchanged context line\), "-" \(a line to remove\) or "\+" \(a line to add\)/);
    assert.match(message, /"@@" starts the next hunk/);
  });

  test('a second file header in the patch is refused: one call edits one file', () => {
    assert.match(error('--- a/x.js\n+++ b/x.js\n-x\n+y\n--- a/y.js\n+++ b/y.js\n-a\n+b'), /^patch line 5 starts another file's header \("--- a\/y\.js"\); edit_file changes one file: send one call per file\./);
    assert.match(error('*** Begin Patch\n*** Update File: x.js\n-x\n+y\n*** Update File: y.js\n-a\n+b\n*** End Patch'), /^patch line 5 starts another file's header/);
  });

  test('a hunk with no - or + lines has nothing to change', () => {
    assert.match(error('-a\n+b\n@@\n same\n also same'), /^hunk 2 \(from patch line 4\) has nothing to change: it has no "-" or "\+" lines\./);
  });

  test('an empty patch, or one of @@ lines only, has no hunks', () => {
    assert.match(error('\n\n'), /the patch has no hunks/);
    assert.match(error('@@\n@@'), /the patch has no hunks/);
  });

  test(`more than ${maxHunks} hunks is refused as a whole`, () => {
    const patch = Array.from({ length: maxHunks + 1 }, (_, i) => `-line ${i}\n+LINE ${i}`).join('\n@@\n');
    assert.match(error(patch), new RegExp(`the patch has ${maxHunks + 1} hunks; at most ${maxHunks} fit in one call`));
    assert.equal(hunks(parsePatch(Array.from({ length: maxHunks }, (_, i) => `-line ${i}\n+LINE ${i}`).join('\n@@\n'))).length, maxHunks);
  });
});
