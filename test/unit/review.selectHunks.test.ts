import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hunksOf, selectHunks, type ProposedFile } from '../../src/agent/review/selectHunks';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (selection: ReturnType<typeof selectHunks>): string => {
  assert.equal(selection.kind, 'write', JSON.stringify(selection));
  return selection.kind === 'write' ? new TextDecoder().decode(selection.bytes) : '';
};

const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);
const before = `${lines.join('\n')}\n`;
const after = before.replace('line 3\n', 'line three\n').replace('line 25\n', 'line twenty-five\n');
const file: ProposedFile = { path: 'src/a.txt', before: bytes(before), after: bytes(after) };

describe('landing exactly the accepted hunks', () => {
  test('two distant changes are two hunks', () => {
    assert.equal(hunksOf(file)?.length, 2);
  });

  test('all hunks on an untouched file give exactly the proposal', () => {
    assert.equal(text(selectHunks(file, new Set([0, 1]), bytes(before))), after);
  });

  test('one accepted, one rejected: only the accepted change lands', () => {
    const result = text(selectHunks(file, new Set([1]), bytes(before)));
    assert.match(result, /line twenty-five/);
    assert.match(result, /^line 3$/m);
    assert.equal(result, before.replace('line 25\n', 'line twenty-five\n'));
  });

  test('nothing accepted leaves the file alone', () => {
    assert.deepEqual(selectHunks(file, new Set(), bytes(before)), { kind: 'unchanged' });
  });

  test('a file the user edited elsewhere since the proposal is rebased, keeping their edit', () => {
    const userEdited = before.replace('line 15\n', 'line 15 (mine)\n');
    const result = text(selectHunks(file, new Set([0, 1]), bytes(userEdited)));
    assert.equal(result, after.replace('line 15\n', 'line 15 (mine)\n'));
  });

  test('a user edit inside an accepted hunk is never overwritten: the file is refused', () => {
    const userEdited = before.replace('line 3\n', 'line 3 (mine)\n');
    const selection = selectHunks(file, new Set([0]), bytes(userEdited));
    assert.equal(selection.kind, 'conflict');
    assert.match(selection.kind === 'conflict' ? selection.reason : '', /changed after the proposal.*your version was kept/);
  });

  test('CRLF files keep CRLF when only some hunks land', () => {
    const crlf: ProposedFile = { path: 'b.txt', before: bytes(before.replace(/\n/g, '\r\n')), after: bytes(after.replace(/\n/g, '\r\n')) };
    const result = text(selectHunks(crlf, new Set([0]), crlf.before));
    assert.equal(result, before.replace('line 3\n', 'line three\n').replace(/\n/g, '\r\n'));
  });

  test('creations and deletions are all or nothing, and refuse a file that changed meanwhile', () => {
    const created: ProposedFile = { path: 'new.txt', before: undefined, after: bytes('hello\n') };
    assert.equal(text(selectHunks(created, new Set([0]), undefined)), 'hello\n');
    assert.equal(selectHunks(created, new Set([0]), bytes('someone else made it\n')).kind, 'conflict');
    const deleted: ProposedFile = { path: 'old.txt', before: bytes('bye\n'), after: undefined };
    assert.deepEqual(selectHunks(deleted, new Set([0]), bytes('bye\n')), { kind: 'delete' });
    assert.equal(selectHunks(deleted, new Set([0]), bytes('bye, edited\n')).kind, 'conflict');
  });
});
