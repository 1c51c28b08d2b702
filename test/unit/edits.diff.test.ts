import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffHunks, unifiedDiff, type DiffHunk } from '../../src/agent/edits/unifiedDiff';

/** Lines with their terminators, split independently of the code under test. */
function rawLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** Applies hunks like `patch` would, checking every context and removed line and every header. */
function applyHunks(oldText: string, hunks: readonly DiffHunk[]): string {
  const old = rawLines(oldText);
  let out: string[] = [];
  let cursor = 0;
  for (const hunk of hunks) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    assert.ok(start >= cursor, 'hunks are in order and do not overlap');
    out = out.concat(old.slice(cursor, start));
    assert.equal(hunk.newLines === 0 ? hunk.newStart : hunk.newStart - 1, out.length, 'newStart agrees with the output so far');
    let i = start;
    for (const line of hunk.lines) {
      const full = line.text + line.eol;
      if (line.kind !== 'add') assert.equal(old[i++], full, `${line.kind} line matches the old text`);
      if (line.kind !== 'remove') out.push(full);
    }
    assert.equal(hunk.lines.filter((l) => l.kind !== 'add').length, hunk.oldLines);
    assert.equal(hunk.lines.filter((l) => l.kind !== 'remove').length, hunk.newLines);
    cursor = i;
  }
  return out.concat(old.slice(cursor)).join('');
}

/** Edit distance by plain dynamic programming, to prove the Myers script is minimal. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    b.forEach((y, j) => row.push(x === y ? (prev[j] ?? 0) + 1 : Math.max(prev[j + 1] ?? 0, row[j] ?? 0)));
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numbered = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

describe('unifiedDiff: the standard format', () => {
  test('two separate hunks with three lines of context (as diff -u prints them)', () => {
    const old = numbered(1, 20);
    const next = old.replace('\n3\n', '\nthree\n').replace('\n16\n', '\nsixteen\n');
    assert.equal(unifiedDiff(old, next, { path: 'src/n.txt' }), [
      '--- a/src/n.txt', '+++ b/src/n.txt',
      '@@ -1,6 +1,6 @@', ' 1', ' 2', '-3', '+three', ' 4', ' 5', ' 6',
      '@@ -13,7 +13,7 @@', ' 13', ' 14', ' 15', '-16', '+sixteen', ' 17', ' 18', ' 19', '',
    ].join('\n'));
  });

  test('changes six lines apart share one hunk', () => {
    const next = numbered(1, 20).replace('\n2\n', '\ntwo\n').replace('\n9\n', '\n');
    const diff = unifiedDiff(numbered(1, 20), next, { path: 'n' });
    assert.equal(diff.match(/^@@/gm)?.length, 1);
    assert.match(diff, /^@@ -1,12 \+1,11 @@$/m);
  });

  test('insert-only, delete-only, at the start and at the end (context 0)', () => {
    const old = 'a\nb\nc\n';
    const headers = (next: string): string[] => unifiedDiff(old, next, { path: 'f', context: 0 }).split('\n').filter((l) => l.startsWith('@@'));
    assert.deepEqual(headers('a\nb\nX\nc\n'), ['@@ -2,0 +3 @@']);
    assert.deepEqual(headers('a\nc\n'), ['@@ -2 +1,0 @@']);
    assert.deepEqual(headers('X\na\nb\nc\n'), ['@@ -0,0 +1 @@']);
    assert.deepEqual(headers('a\nb\nc\nZ\n'), ['@@ -3,0 +4 @@']);
    assert.deepEqual(headers('b\nc\n'), ['@@ -1 +0,0 @@']);
  });

  test('hunks at the edges and around a missing final newline apply back exactly', () => {
    const pairs: [string, string][] = [
      ['a\nb\nc\n', 'X\na\nb\nc\n'],
      ['a\nb\nc\n', 'a\nb\nc\nZ\n'],
      ['a\nb\nc\n', 'b\nc\n'],
      ['a\nb\nc\n', 'a\nb\n'],
      ['a\nb', 'a\nb\n'],
      ['a\nb\n', 'a\nb'],
      ['a\nb', 'a\nc'],
      ['', 'x\n'],
      ['x', ''],
    ];
    for (const [oldText, newText] of pairs) {
      for (const context of [0, 1, 3]) assert.equal(applyHunks(oldText, diffHunks(oldText, newText, context)), newText, JSON.stringify([oldText, newText, context]));
    }
  });

  test('a missing final newline is marked', () => {
    assert.equal(unifiedDiff('a\nb', 'a\nb\n', { path: 'f' }), [
      '--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+b', '',
    ].join('\n'));
  });

  test('from and to an empty file', () => {
    assert.match(unifiedDiff('', 'x\ny\n', { path: 'f' }), /@@ -0,0 \+1,2 @@\n\+x\n\+y\n$/);
    assert.match(unifiedDiff('x\n', '', { path: 'f' }), /@@ -1 \+0,0 @@\n-x\n$/);
  });

  test('equal texts give no diff', () => {
    assert.equal(unifiedDiff('same\n', 'same\n', { path: 'f' }), '');
    assert.deepEqual(diffHunks('same\n', 'same\n'), []);
  });
});

describe('diffHunks: structure and correctness', () => {
  test('an insertion in the middle', () => {
    assert.deepEqual(diffHunks('a\nb\n', 'a\nnew\nb\n', 0), [
      { oldStart: 1, oldLines: 0, newStart: 2, newLines: 1, lines: [{ kind: 'add', text: 'new', eol: '\n' }] },
    ]);
  });

  test('a one-line change in ten lines is one removal and one addition', () => {
    const hunks = diffHunks(numbered(1, 10), numbered(1, 10).replace('\n5\n', '\nfive\n'));
    const kinds = hunks.flatMap((h) => h.lines.map((l) => l.kind));
    assert.deepEqual(kinds.filter((k) => k !== 'context'), ['remove', 'add']);
  });

  test('a changed line ending is a change, and applying the hunks restores it', () => {
    const old = 'a\r\nb\r\nc\r\n';
    const next = 'a\r\nb\nc\r\n';
    const hunks = diffHunks(old, next);
    assert.equal(hunks.length, 1);
    assert.equal(applyHunks(old, hunks), next);
  });

  test('hunks applied back to the old text give the new text, and the script is minimal (randomised)', () => {
    const rand = random(42);
    for (let round = 0; round < 300; round++) {
      const alphabet = ['x', 'y', 'z', 'w', 'v'];
      const old = Array.from({ length: Math.floor(rand() * 25) }, () => alphabet[Math.floor(rand() * alphabet.length)]!);
      const next = [...old];
      for (let edits = Math.floor(rand() * 6); edits > 0; edits--) {
        const at = Math.floor(rand() * (next.length + 1));
        if (rand() < 0.5 && next.length > 0) next.splice(at, 1);
        else next.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]!);
      }
      const oldText = old.join('\n') + (rand() < 0.5 ? '\n' : '');
      const newText = next.join('\n') + (rand() < 0.5 ? '\n' : '');
      const hunks = diffHunks(oldText, newText, Math.floor(rand() * 4));
      assert.equal(applyHunks(oldText, hunks), newText, `round ${round}`);
      const a = rawLines(oldText);
      const b = rawLines(newText);
      const edits = hunks.flatMap((h) => h.lines).filter((l) => l.kind !== 'context').length;
      assert.equal(edits, a.length + b.length - 2 * lcsLength(a, b), `round ${round} is minimal`);
    }
  });

  test('10,000 lines with 20 scattered changes: fast, minimal and correct', () => {
    const old = Array.from({ length: 10_000 }, (_, i) => `line ${i}: ${'abcdefghij'.repeat(3)}\n`);
    const next = [...old];
    for (let k = 0; k < 20; k++) next[k * 497 + 13] = `changed ${k}\n`;
    const oldText = old.join('');
    const newText = next.join('');
    const started = performance.now();
    const hunks = diffHunks(oldText, newText);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    assert.equal(hunks.length, 20);
    assert.equal(hunks.flatMap((h) => h.lines).filter((l) => l.kind !== 'context').length, 40);
    assert.equal(applyHunks(oldText, hunks), newText);
  });

  test('two completely different 3,000-line files still diff correctly', () => {
    const oldText = Array.from({ length: 3000 }, (_, i) => `old ${i}\n`).join('');
    const newText = Array.from({ length: 3000 }, (_, i) => `new ${i}\n`).join('');
    const hunks = diffHunks(oldText, newText);
    assert.equal(applyHunks(oldText, hunks), newText);
    assert.equal(hunks[0]?.oldLines, 3000);
  });
});
