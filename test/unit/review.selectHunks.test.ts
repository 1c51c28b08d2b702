import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectHunks, type ProposedFile } from '../../src/agent/review/selectHunks';
import { computeChangeSet } from '../../src/agent/run/changeSet';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (selection: ReturnType<typeof selectHunks>): string => {
  assert.equal(selection.kind, 'write', JSON.stringify(selection));
  return selection.kind === 'write' ? new TextDecoder().decode(selection.bytes) : '';
};

const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);
const before = `${lines.join('\n')}\n`;
const after = before.replace('line 3\n', 'line three\n').replace('line 25\n', 'line twenty-five\n');
/** A file of the change set, as landing gets it. */
const proposed = (path: string, from: string | undefined, to: string | undefined): ProposedFile => {
  const [entry] = computeChangeSet([{ path, kind: from === undefined ? 'create' : to === undefined ? 'delete' : 'modify', before: from === undefined ? undefined : bytes(from), after: to === undefined ? undefined : bytes(to) }], new Map());
  return entry!;
};
const file = proposed('src/a.txt', before, after);
const [first, second] = file.hunks.map((hunk) => hunk.id);
const ids = (...names: (string | undefined)[]): Set<string> => new Set(names.map((name) => name ?? ''));

describe('landing exactly the accepted hunks', () => {
  test('two distant changes are two hunks', () => {
    assert.equal(file.hunks.length, 2);
  });

  test('all hunks on an untouched file give exactly the proposal', () => {
    assert.equal(text(selectHunks(file, ids(first, second), bytes(before))), after);
  });

  test('one accepted, one rejected: only the accepted change lands', () => {
    const result = text(selectHunks(file, ids(second), bytes(before)));
    assert.match(result, /line twenty-five/);
    assert.match(result, /^line 3$/m);
    assert.equal(result, before.replace('line 25\n', 'line twenty-five\n'));
  });

  test('nothing accepted leaves the file alone', () => {
    assert.deepEqual(selectHunks(file, new Set(), bytes(before)), { kind: 'unchanged' });
  });

  test('a file the user edited elsewhere since the proposal is rebased, keeping their edit', () => {
    const userEdited = before.replace('line 15\n', 'line 15 (mine)\n');
    const result = text(selectHunks(file, 'all', bytes(userEdited)));
    assert.equal(result, after.replace('line 15\n', 'line 15 (mine)\n'));
  });

  test('a user edit inside an accepted hunk is never overwritten: the file is refused', () => {
    const userEdited = before.replace('line 3\n', 'line 3 (mine)\n');
    const selection = selectHunks(file, ids(first), bytes(userEdited));
    assert.equal(selection.kind, 'conflict');
    assert.match(selection.kind === 'conflict' ? selection.reason : '', /changed after the proposal.*your version was kept/);
  });

  test('CRLF files keep CRLF when only some hunks land', () => {
    const crlf = proposed('b.txt', before.replace(/\n/g, '\r\n'), after.replace(/\n/g, '\r\n'));
    const result = text(selectHunks(crlf, ids(crlf.hunks[0]?.id), crlf.before));
    assert.equal(result, before.replace('line 3\n', 'line three\n').replace(/\n/g, '\r\n'));
  });

  test('creations and deletions are all or nothing, and refuse a file that changed meanwhile', () => {
    const created = proposed('new.txt', undefined, 'hello\n');
    assert.equal(text(selectHunks(created, 'all', undefined)), 'hello\n');
    assert.equal(selectHunks(created, 'all', bytes('someone else made it\n')).kind, 'conflict');
    const deleted = proposed('old.txt', 'bye\n', undefined);
    assert.deepEqual(selectHunks(deleted, ids(deleted.hunks[0]?.id), bytes('bye\n')), { kind: 'delete' });
    assert.equal(selectHunks(deleted, 'all', bytes('bye, edited\n')).kind, 'conflict');
  });
});
