import assert from 'node:assert/strict';
import { test } from 'node:test';
import { protectedWarning } from '../../src/cli/terminalReview';

test("the CLI's review shows a file that runs code with a warning line", () => {
  const file = { path: '.vscode/tasks.json', kind: 'create' as const, hunks: [], beforeText: null, afterText: '{}', stepIds: ['s1'], protectedReason: 'VS Code workspace configuration' };
  assert.equal(protectedWarning({ colors: false }, file), '⚠ Runs code: .vscode/tasks.json — needs your approval (VS Code workspace configuration).');
  assert.ok(protectedWarning({ colors: true }, file).startsWith(`${String.fromCharCode(27)}[33m⚠ Runs code`));
});

test('the CLI shows hidden characters in a diff as code points, never raw', async () => {
  const { paintDiff } = await import('../../src/cli/terminal');
  const shown = paintDiff({ colors: false }, '@@ -1 +1 @@\n-const ok = 1;\n+const ok = 1; // \u202Eevil\u2066\n');
  assert.match(shown, /\+const ok = 1; \/\/ ⟦U\+202E⟧evil⟦U\+2066⟧/);
  assert.doesNotMatch(shown, /[\u202E\u2066]/u);
});
