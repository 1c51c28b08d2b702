import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hunkLabel, hunkToBlock, maxHunks, parsePatch, type ParsedPatch, type PatchHunk } from '../../src/agent/edits/parsePatch';

function hunks(parsed: ParsedPatch): readonly PatchHunk[] {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.hunks;
}

/** The two sides of each hunk's block (its lines and hints are checked on their own). */
function blocks(patch: string): { oldText: string; newText: string }[] {
  return hunks(parsePatch(patch)).map((hunk) => sides(hunkToBlock(hunk)));
}

function sides(block: { oldText: string; newText: string }): { oldText: string; newText: string } {
  return { oldText: block.oldText, newText: block.newText };
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

  test('@@ lines separate hunks; what follows @@ becomes the hunk\'s anchors and line hint', () => {
    const parsed = parsePatch('@@ -1,3 +1,3 @@ function f\n-a\n+A\n@@\n-b\n+B\n@@ anything at all\n c\n-d\n');
    assert.deepEqual(hunks(parsed).map((hunk) => hunk.number), [1, 2, 3]);
    assert.deepEqual(hunks(parsed).map((hunk) => [hunk.anchors, hunk.oldStart]), [[['function f'], 1], [[], undefined], [['anything at all'], undefined]]);
    assert.deepEqual(hunks(parsed).map((hunk) => sides(hunkToBlock(hunk))), [
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

  test('"\\ No newline at end of file" lines are ignored; "*** End of File" marks the hunk as ending the file', () => {
    const patch = '-last\n\\ No newline at end of file\n+final\n\\ No newline at end of file\n*** End of File';
    assert.deepEqual(blocks(patch), [{ oldText: 'last\n', newText: 'final\n' }]);
    assert.equal(hunks(parsePatch(patch))[0]?.atEnd, true);
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
    const block = hunkToBlock(hunk, (text) => text.toUpperCase());
    assert.deepEqual(sides(block), { oldText: 'CTX\nDEL\n', newText: 'CTX\nadd\n' });
    assert.deepEqual(block.lines, [{ kind: 'context', text: 'CTX' }, { kind: 'remove', text: 'DEL' }, { kind: 'add', text: 'add' }]);
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
    assert.equal(
      error('--- a/x.js\n+++ b/x.js\n-x\n+y\n--- a/y.js\n+++ b/y.js\n-a\n+b'),
      'the patch changes more than one file (b/x.js on patch line 2, b/y.js on patch line 6): one edit_file call changes one file; send one call per file.',
    );
    assert.match(error('*** Begin Patch\n*** Update File: x.js\n-x\n+y\n*** Update File: y.js\n-a\n+b\n*** End Patch'), /^the patch changes more than one file \(x\.js on patch line 2, y\.js on patch line 5\)/);
    // The same file named again (a/ and b/ prefixes aside) is still one file.
    assert.equal(blocks('--- a/x.js\n+++ b/x.js\n-x\n+y\n--- x.js\n+++ x.js\n-a\n+b').length, 2);
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

describe('parsePatch: what models write (issue 14, item 8)', () => {
  test('wrapper lines padded with spaces are recognised, not read as context lines', () => {
    assert.deepEqual(blocks(' *** Begin Patch\n  *** Update File: a.txt\n@@\n-one\n+two\n *** End Patch \n'), [{ oldText: 'one\n', newText: 'two\n' }]);
    assert.deepEqual(blocks('*** Begin Patch  \n*** Update File: a.txt\n-one\n+two\n*** End Patch\t'), [{ oldText: 'one\n', newText: 'two\n' }]);
  });

  test('"*** End of File" after a hunk of + lines marks an append', () => {
    const [hunk] = hunks(parsePatch('@@\n+tail\n*** End of File\n'));
    assert.equal(hunk?.atEnd, true);
    assert.deepEqual(hunk && hunkToBlock(hunk), { oldText: '', newText: 'tail\n', lines: [{ kind: 'add', text: 'tail' }], atEnd: true });
  });

  test('consecutive "@@ <anchor>" lines are kept in order; a unified header gives its old start and section heading', () => {
    const [first, second] = hunks(parsePatch('@@ class Shape\n@@ def area(self):\n-    return 0\n+    return 1\n@@ -40,2 +40,2 @@ def perimeter(self):\n-x\n+y'));
    assert.deepEqual(first?.anchors, ['class Shape', 'def area(self):']);
    assert.deepEqual(second?.anchors, ['def perimeter(self):']);
    assert.equal(second?.oldStart, 40);
    assert.deepEqual(second && hunkToBlock(second).lineHint, 40);
  });

  test('add, delete and move operations are refused naming the tool to use', () => {
    assert.match(error('*** Begin Patch\n*** Add File: src/new.txt\n+hello\n*** End Patch'), /^patch line 2 adds a file \(src\/new\.txt\): edit_file only changes an existing file\. Create a new file with create_file, one call per file\./);
    assert.match(error('*** Begin Patch\n*** Delete File: old.txt\n*** End Patch'), /^patch line 2 deletes a file \(old\.txt\): use delete_file/);
    assert.match(error('*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-x\n+y\n*** End Patch'), /^patch line 3 moves the file to b\.txt: edit_file cannot rename\. Create the new file with create_file and remove the old one with delete_file\./);
    assert.match(error('--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x'), /^patch line 1 creates a file \(--- \/dev\/null\): use create_file/);
    assert.match(error('--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x'), /^patch line 1 deletes a file \(\+\+\+ \/dev\/null\): use delete_file/);
  });
});

describe('parsePatch: what a + line may not write (issue 14, item 7)', () => {
  test('a copied read_file line-number prefix is refused, naming the patch line', () => {
    assert.equal(
      error(' a\n-b\n+12│ const b = 2;'),
      'patch line 3 (hunk 1) carries a read_file line-number prefix ("12│"): "+12│ const b = 2;". The prefix is not part of the file: remove it from every line and resend.',
    );
    // Before the marker too.
    assert.match(error('-a\n+b\n@@\n7│-c'), /^patch line 4 \(hunk 2\) carries a read_file line-number prefix \("7│"\)/);
    // A context line is only matched, never written, so it is left to the match.
    assert.equal(blocks(' 3│x\n-a\n+b').length, 1);
  });

  test('invisible and bidi characters on a + line are refused, each shown as ⟦U+XXXX⟧', () => {
    const message = error(' const ok = 1;\n-let a = 1;\n+let a = "\u202Eevil\u2066\u2069"; \u200B\u{E0041}');
    assert.equal(
      message,
      'patch line 3 (a "+" line of hunk 1) holds characters that are invisible or reorder text: ⟦U+202E⟧ ⟦U+2066⟧ ⟦U+2069⟧ ⟦U+200B⟧ ⟦U+E0041⟧, in "+let a = \\"⟦U+202E⟧evil⟦U+2066⟧⟦U+2069⟧\\"; ⟦U+200B⟧⟦U+E0041⟧". ' +
        'They are refused so that nothing lands unseen: leave them out, or write an escape sequence (such as \\u202E) where the code needs one.',
    );
    // Context and - lines may hold them (they are matched, and context is written back as the file has it);
    // zero-width joiners, which scripts and emoji need, may be written.
    assert.equal(blocks(' a\u200B\n-b\u202E\n+b\u200D').length, 1);
    // A "+" line never starts the file, so a byte order mark there is hidden text too.
    assert.match(error('-a\n+\uFEFFa'), /invisible or reorder text: ⟦U\+FEFF⟧/);
  });
});
