/**
 * The inline review's document (issue 18, item 7): the whole file with, at each change, the lines it
 * removes as real lines above the lines it adds, so nothing is drawn after the text and off screen.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeChanges } from '../../src/agent/run/changeSet';
import { reviewDocument } from '../../src/client/review/hunkLayout';
import type { FileChange } from '../../src/protocol/run';

const bytes = (text: string | undefined): Uint8Array | undefined => (text === undefined ? undefined : new TextEncoder().encode(text));

function fileChange(before: string | undefined, after: string | undefined): FileChange {
  const kind = before === undefined ? 'create' : after === undefined ? 'delete' : 'modify';
  const [change] = describeChanges([{ path: 'src/a.js', kind, before: bytes(before), after: bytes(after) }], new Map());
  return change!;
}

const linesOf = (text: string): string[] => text.split('\n').slice(0, -1);

describe('the inline review document', () => {
  const before = ['a', 'b', 'old 1', 'old 2', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'gone', 'l', ''].join('\n');
  const after = ['a', 'b', 'new 1', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', ''].join('\n');

  test('removed lines stand above the lines that replace them; everything else as in the file', () => {
    const shown = reviewDocument(fileChange(before, after))!;
    assert.deepEqual(linesOf(shown.text), ['a', 'b', 'old 1', 'old 2', 'new 1', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'gone', 'l']);
    const [replace, removal] = shown.layouts;
    assert.deepEqual([replace!.removed, replace!.added, replace!.first, replace!.last], [[2, 3], [4], 2, 4]);
    assert.deepEqual([removal!.removed, removal!.added, removal!.first, removal!.last], [[14], [], 14, 14]);
    // Open Diff's right side has the proposed text alone: there the changes are at lines 2 and 12.
    assert.deepEqual(shown.layouts.map((layout) => layout.firstInProposal), [2, 12]);
  });

  test('a created file is all added lines, a deleted one all removed lines', () => {
    const created = reviewDocument(fileChange(undefined, 'x\ny\n'))!;
    assert.deepEqual([linesOf(created.text), created.layouts[0]!.added, created.layouts[0]!.removed], [['x', 'y'], [0, 1], []]);
    const deleted = reviewDocument(fileChange('x\ny\n', undefined))!;
    assert.deepEqual([linesOf(deleted.text), deleted.layouts[0]!.removed, deleted.layouts[0]!.deletesFile], [['x', 'y'], [0, 1], true]);
  });

  test('a file of CRLF lines is shown with CRLF, and a lost final newline does not glue two lines together', () => {
    assert.equal(reviewDocument(fileChange('a\r\nb\r\n', 'a\r\nc\r\n'))!.text, 'a\r\nb\r\nc\r\n');
    assert.deepEqual(linesOf(reviewDocument(fileChange('a\nb', 'a\nb\n'))!.text), ['a', 'b', 'b']);
  });

  test('a file decided as a whole has no review document', () => {
    const [binary] = describeChanges([{ path: 'img.png', kind: 'modify', before: new Uint8Array([0, 1, 2, 0]), after: new Uint8Array([0, 3, 0]) }], new Map());
    assert.equal(reviewDocument(binary!), undefined);
  });
});
