import assert from 'node:assert/strict';
import { test } from 'node:test';
import { protectedWarning } from '../../src/cli/terminalReview';

test("the CLI's review shows a file that runs code with a warning line", () => {
  const file = { path: '.vscode/tasks.json', kind: 'create' as const, hunks: [], beforeText: null, afterText: '{}', stepIds: ['s1'], protectedReason: 'VS Code workspace configuration' };
  assert.equal(protectedWarning({ colors: false }, file), '⚠ Runs code: .vscode/tasks.json — needs your approval (VS Code workspace configuration).');
  assert.ok(protectedWarning({ colors: true }, file).startsWith(`${String.fromCharCode(27)}[33m⚠ Runs code`));
});

test('the CLI shows hidden characters in a diff as code points, never raw', async () => {
  const { paintHunk } = await import('../../src/cli/hunkView');
  const hunk = { id: 'a.js#1,1+1,1~0', oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: [{ kind: 'remove' as const, text: 'const ok = 1;', eol: '\n' as const }, { kind: 'add' as const, text: 'const ok = 1; // \u202Eevil\u2066', eol: '\n' as const }] };
  const shown = paintHunk({ colors: false }, hunk);
  assert.match(shown, /\+const ok = 1; \/\/ ⟦U\+202E⟧evil⟦U\+2066⟧/);
  assert.doesNotMatch(shown, /[\u202E\u2066]/u);
});

test('text from outside Plumbline cannot drive the terminal: escape sequences and other controls are shown, not obeyed', async () => {
  const { safeForTerminal, terminalSafe } = await import('../../src/cli/terminal');
  // A test named to write the clipboard (OSC 52), retitle the window, and erase what was printed.
  const hostile = 'greets\u001b]52;c;ZXZpbA==\u0007 \u001b]0;owned\u0007 passed\b\b\b\b\b\bfailed\r';
  const shown = terminalSafe(hostile);
  // eslint-disable-next-line no-control-regex -- control characters are what must be absent
  assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u);
  assert.match(shown, /greets⟦U\+001B⟧\]52;c;ZXZpbA==⟦U\+0007⟧/);
  assert.equal(terminalSafe('line one\n\tline two'), 'line one\n\tline two', 'line breaks and tabs stay');
  const event = safeForTerminal({ type: 'verification', evidence: { reason: `New failures: ${hostile}`, newFailures: [hostile], durationMs: 1 } });
  assert.doesNotMatch(JSON.stringify(event), /\\u001b|\\u0007/);
  assert.equal(event.evidence.durationMs, 1);
});
