/**
 * One change set (issue 15, part 2): each file decoded and diffed once, hunks with stable ids that
 * the review, the clients and landing share, and decisions that name those ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeFile, diffHunks } from '../../src/agent/edits';
import { resolveDecision } from '../../src/agent/review/resolveDecision';
import type { ReviewCodec } from '../../src/agent/review/reviewCodec';
import { selectHunks } from '../../src/agent/review/selectHunks';
import { changedFile, computeChangeSet } from '../../src/agent/run/changeSet';
import type { StagedChange } from '../../src/agent/workspace/stagedWorkspace';
import { paintFileChange } from '../../src/cli/hunkView';
import { reviewInTerminal } from '../../src/cli/terminalReview';
import { layoutFile } from '../../src/client/review/hunkLayout';
import { ReviewState } from '../../src/client/review/reviewState';
import { changedFileSchema, fileChangeSchema, reviewParamsSchema, reviewResultSchema, type Hunk } from '../../src/protocol/run';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const decoded = (data: Uint8Array): string => new TextDecoder().decode(data);
const lines = Array.from({ length: 40 }, (_, index) => `line ${index + 1}`);
const before = `${lines.join('\n')}\n`;
const after = before.replace('line 3\n', 'line three\n').replace('line 30\n', 'line thirty\n');
const change: StagedChange = { path: 'src/a.txt', kind: 'modify', before: bytes(before), after: bytes(after) };

/** The real codec, counting: how often a file is decoded and two texts are diffed. */
function countingCodec(): ReviewCodec & { decodes: number; diffs: number } {
  const codec = {
    decodes: 0,
    diffs: 0,
    decode: (data: Uint8Array) => {
      codec.decodes += 1;
      return decodeFile(data);
    },
    diff: (oldText: string, newText: string, context?: number) => {
      codec.diffs += 1;
      return diffHunks(oldText, newText, context);
    },
  };
  return codec;
}

describe('one change set: hunk ids', () => {
  test('each hunk has an id naming its file and place; computing the same change again gives the same ids', () => {
    const [entry] = computeChangeSet([change], new Map());
    const ids = entry!.file.hunks.map((hunk) => hunk.id);
    assert.equal(ids.length, 2);
    assert.match(ids[0] ?? '', /^src\/a\.txt#1,6\+1,6~[0-9a-f]{8}$/);
    assert.match(ids[1] ?? '', /^src\/a\.txt#27,7\+27,7~[0-9a-f]{8}$/);
    assert.deepEqual(computeChangeSet([change], new Map())[0]?.file.hunks.map((hunk) => hunk.id), ids);
    assert.equal(entry!.hunks, entry!.file.hunks, 'landing and the review hold the very same hunks');
  });

  test('another version of a change at the same place gets another id: an old answer cannot land it', () => {
    const [first] = computeChangeSet([change], new Map());
    const [other] = computeChangeSet([{ ...change, after: bytes(before.replace('line 3\n', 'line III\n')) }], new Map());
    assert.notEqual(other?.hunks[0]?.id, first?.hunks[0]?.id);
    assert.equal(selectHunks(other!, new Set([first!.hunks[0]!.id]), change.before).kind, 'unchanged');
  });

  test('ids survive the wire: the review request and the changes event carry the same ids, the event without the texts', () => {
    const [entry] = computeChangeSet([change], new Map([['src/a.txt', ['s1']]]));
    const sent = reviewParamsSchema.parse(JSON.parse(JSON.stringify({ runId: 'r1', files: [entry!.file] })));
    assert.deepEqual(sent.files[0], entry!.file);
    const event = changedFileSchema.parse(JSON.parse(JSON.stringify(changedFile(entry!.file))));
    assert.deepEqual(event.hunks, entry!.file.hunks);
    assert.ok(!('beforeText' in event) && !('afterText' in event));
    assert.ok(!('diff' in entry!.file), 'no diff text crosses the wire');
    assert.equal(fileChangeSchema.safeParse({ ...entry!.file, hunks: [{ ...entry!.file.hunks[0], id: '' }] }).success, false);
  });
});

describe('one change set: decisions name hunk ids', () => {
  const [entry] = computeChangeSet([change], new Map());
  const [first, second] = entry!.hunks.map((hunk) => hunk.id) as [string, string];

  test('a decision accepts the hunks it names; `all` and naming every hunk are the same', () => {
    assert.deepEqual(resolveDecision(entry!, [second]), { accepted: new Set([second]), count: 1, of: 2, ignored: [] });
    assert.deepEqual(resolveDecision(entry!, [first, second]), { accepted: 'all', count: 2, of: 2, ignored: [] });
    assert.deepEqual(resolveDecision(entry!, 'all'), { accepted: 'all', count: 2, of: 2, ignored: [] });
    assert.deepEqual(resolveDecision(entry!, undefined), { accepted: new Set(), count: 0, of: 2, ignored: [] });
    const landed = selectHunks(entry!, resolveDecision(entry!, [second]).accepted, change.before);
    assert.equal(landed.kind === 'write' ? decoded(landed.bytes) : '', before.replace('line 30\n', 'line thirty\n'));
  });

  test('an id the file does not have is ignored and reported; the rest lands', () => {
    const unknown = 'src/a.txt#99,1+99,1~00000000';
    const decision = resolveDecision(entry!, [first, unknown, '0']);
    assert.deepEqual(decision, { accepted: new Set([first]), count: 1, of: 2, ignored: [unknown, '0'] });
    const landed = selectHunks(entry!, decision.accepted, change.before);
    assert.equal(landed.kind === 'write' ? decoded(landed.bytes) : '', before.replace('line 3\n', 'line three\n'));
    assert.equal(reviewResultSchema.safeParse({ decisions: [{ path: 'src/a.txt', hunks: [0] }] }).success, false, 'indexes are not ids');
  });

  test('a file without hunks (binary) is accepted with `all` only', () => {
    const [binary] = computeChangeSet([{ path: 'logo.png', kind: 'modify', before: new Uint8Array([0, 1, 2]), after: new Uint8Array([0, 1, 3]) }], new Map());
    assert.deepEqual(binary!.file.hunks, []);
    assert.deepEqual(resolveDecision(binary!, 'all'), { accepted: 'all', count: 1, of: 1, ignored: [] });
    assert.deepEqual(resolveDecision(binary!, ['logo.png']), { accepted: new Set(), count: 0, of: 1, ignored: ['logo.png'] });
  });

  test('the VS Code review and the terminal review answer with the same ids', async () => {
    const state = new ReviewState([entry!.file]);
    assert.equal(state.decideHunk('src/a.txt', second, 'accepted'), true);
    assert.equal(state.decideHunk('src/a.txt', 'src/a.txt#1,1+1,1~00000000', 'accepted'), false);
    assert.deepEqual(state.decisions(), { decisions: [{ path: 'src/a.txt', hunks: [second] }] });
    const answers = ['n', 'y'];
    const written: string[] = [];
    const terminal = { interactive: true, colors: false, write: (text: string) => void written.push(text), redraw: () => undefined, settle: () => undefined };
    const decisions = await reviewInTerminal([entry!.file], terminal, new AbortController().signal, () => Promise.resolve(answers.shift() ?? 'q'));
    assert.deepEqual(decisions, [{ path: 'src/a.txt', hunks: [second] }]);
    assert.match(written.join(''), /^@@ -27,7 \+27,7 @@\n line 27\n[\s\S]*^-line 30\n\+line thirty$/m);
  });
});

describe('one change set: nothing decoded, diffed or parsed twice', () => {
  test('computing the change set decodes each side once and diffs once', () => {
    const codec = countingCodec();
    computeChangeSet([change], new Map(), codec);
    assert.deepEqual({ decodes: codec.decodes, diffs: codec.diffs }, { decodes: 2, diffs: 1 });
  });

  test('landing never diffs, and decodes only a file the user changed meanwhile', () => {
    const [entry] = computeChangeSet([change], new Map());
    const [first] = entry!.hunks.map((hunk) => hunk.id);
    const cases: [string, 'all' | Set<string>, Uint8Array, number][] = [
      ['everything, untouched', 'all', bytes(before), 0],
      ['one hunk, untouched', new Set([first!]), bytes(before), 0],
      ['one hunk, the user edited elsewhere', new Set([first!]), bytes(before.replace('line 15\n', 'line 15 (mine)\n')), 1],
    ];
    for (const [name, accepted, current, decodes] of cases) {
      const codec = countingCodec();
      assert.equal(selectHunks(entry!, accepted, current, codec).kind, 'write', name);
      assert.deepEqual({ decodes: codec.decodes, diffs: codec.diffs }, { decodes, diffs: 0 }, name);
    }
  });

  test('landing applies the hunks it is given, as given: it does not compute its own', () => {
    const [entry] = computeChangeSet([change], new Map());
    // A hunk nobody's diff would produce (it also rewrites line 2): landing must take it at its word.
    const own: Hunk = {
      id: 'src/a.txt#own',
      oldStart: 2,
      oldLines: 2,
      newStart: 2,
      newLines: 2,
      lines: [
        { kind: 'remove', text: 'line 2', eol: '\n' },
        { kind: 'remove', text: 'line 3', eol: '\n' },
        { kind: 'add', text: 'line two', eol: '\n' },
        { kind: 'add', text: 'line three', eol: '\n' },
      ],
    };
    const landed = selectHunks({ ...entry!, hunks: [own, ...entry!.hunks] }, new Set([own.id]), change.before);
    assert.equal(landed.kind === 'write' ? decoded(landed.bytes) : '', before.replace('line 2\nline 3\n', 'line two\nline three\n'));
  });

  test('clients read the hunks as structure: the inline layout and the terminal need no diff text', () => {
    const [entry] = computeChangeSet([change], new Map());
    const layouts = layoutFile(entry!.file);
    // The review document shows each removed line above its replacement: line 3 at 2, line three at 3.
    assert.deepEqual(layouts.map((layout) => [layout.id, layout.removed, layout.added, layout.removedLines]), [
      [entry!.hunks[0]!.id, [2], [3], ['line 3']],
      [entry!.hunks[1]!.id, [30], [31], ['line 30']],
    ]);
    assert.match(paintFileChange({ colors: false }, changedFile(entry!.file)), /^--- a\/src\/a\.txt\n\+\+\+ b\/src\/a\.txt\n@@ -1,6 \+1,6 @@\n line 1\n/);
  });
});
