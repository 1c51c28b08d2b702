/**
 * Issue 14, item 10: Accept All and Reject All decide only what is still undecided. "Accept All"
 * after "Reject File" used to land the rejected file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeChanges } from '../../src/agent/run/changeSet';
import { ReviewState } from '../../src/client/review/reviewState';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const lines = (count: number, mark = ''): string => Array.from({ length: count }, (_, index) => `line ${index}${mark !== '' && index % 10 === 0 ? mark : ''}`).join('\n') + '\n';
const files = describeChanges(
  [
    { path: 'a.js', kind: 'modify', before: bytes(lines(40)), after: bytes(lines(40, ' changed')) },
    { path: 'b.js', kind: 'create', before: undefined, after: bytes('new\n') },
  ],
  new Map(),
);

test('Accept All after Reject File and a rejected hunk leaves both rejected', () => {
  assert.ok((files[0]?.hunks.length ?? 0) >= 2, 'a.js has several hunks');
  const state = new ReviewState(files);
  state.decideFile('b.js', 'rejected');
  const second = files[0]!.hunks[1]!.id;
  state.decideHunk('a.js', second, 'rejected');
  const decided = state.decideAll('accepted');
  assert.equal(decided, (files[0]?.hunks.length ?? 0) - 1);
  const accepted = files[0]!.hunks.map((hunk) => hunk.id).filter((id) => id !== second);
  assert.deepEqual(state.decisions(), { decisions: [{ path: 'a.js', hunks: accepted }] });
});

test('Reject All keeps what was accepted; a second bulk action changes nothing', () => {
  const state = new ReviewState(files);
  const first = files[0]!.hunks[0]!.id;
  state.decideHunk('a.js', first, 'accepted');
  state.decideAll('rejected');
  assert.equal(state.decideAll('accepted'), 0);
  assert.deepEqual(state.decisions(), { decisions: [{ path: 'a.js', hunks: [first] }] });
  assert.equal(state.isComplete(), true);
});
