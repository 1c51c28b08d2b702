import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertOnlyChanged, captureWorld, makeWorkspace } from '../unit/support/adversarialHarness';
import { lastToolResults, requestsOf, startFake } from '../unit/support/scenarioHarness';
import { acceptAll, startVerifySession, type ApproveMode, type ReviewAnswer, type ReviewParams } from '../unit/support/verifyHarness';

const settings = '{\n  "editor.tabSize": 2\n}\n';
const files = { 'src/a.js': "module.exports = 'a';\n", '.vscode/settings.json': settings, 'package.json': '{ "name": "paths", "private": true }\n' };
const newX = 'module.exports = { x: 1 };\n';
const newSettings = settings.replace('"editor.tabSize": 2', '"editor.tabSize": 4');

async function run(approve: ApproveMode, onReview: (params: ReviewParams) => ReviewAnswer) {
  const repo = makeWorkspace(files);
  symlinkSync(repo.parent, join(repo.root, 'link-out'));
  const before = captureWorld(repo);
  const server = await startFake('adversarial-paths');
  const session = await startVerifySession(repo, server, { onReview, testCommand: 'node -e 0' });
  try {
    await session.start('Add x and set the tab size', approve);
    const finished = await session.log.waitFor('run/finished', undefined, 90000);
    const [, second] = requestsOf(server, 'worker-s1');
    const notes = session.log.of('plan/updated').at(-1)?.plan.notes ?? [];
    return { repo, before, after: captureWorld(repo), finished, notes, reviews: session.reviews, changes: session.log.of('changes'), refusals: second === undefined ? [] : lastToolResults(second) };
  } finally {
    await session.close();
    await server.close();
  }
}

describe('adversarial: writes outside the plan, outside the workspace, and to files that run code', () => {
  test('auto mode: escapes, links, .git and look-alike names are refused with clear messages; x.js lands; settings.json is asked about and, refused, stays byte-identical', { timeout: 120000 }, async () => {
    const result = await run('auto', () => ({ decisions: [] }));
    try {
      const { finished, reviews, refusals } = result;
      // Each attempt was refused, and the model was told why in words it can act on.
      assert.equal(refusals.length, 8, JSON.stringify(refusals));
      assert.ok(refusals.every((entry) => entry.isError), JSON.stringify(refusals));
      const texts = refusals.map((entry) => entry.text);
      const expected = [
        /\.\.\/x is outside the workspace/,
        /\/etc\/hosts is an absolute path/,
        /link-out\/evil\.js resolves \(through a symbolic link\) to .* outside the workspace/,
        /\.git\/config is inside \.git, which is off limits/,
        /spells \.git with look-alike characters/,
        /spells \.git with look-alike characters/,
        /contains an invisible character \(U\+200B/,
        /would create "SRC" beside src, which differs only in letter case/,
      ];
      expected.forEach((pattern, index) => assert.match(texts[index] ?? '', pattern));

      // The plan said so before it ran: its step owns a file that runs code.
      assert.ok(result.notes.some((note) => /always need your approval, even in auto mode: \.vscode\/settings\.json \(step s1: /.test(note)), result.notes.join('\n'));
      // Auto mode landed x.js without asking, and asked about settings.json alone, flagged.
      assert.equal(finished.status, 'completed', finished.reason);
      assert.equal(reviews.length, 1);
      assert.deepEqual(reviews[0]?.files.map((file) => [file.path, file.protectedReason !== undefined]), [['.vscode/settings.json', true]]);
      assert.match(reviews[0]?.files[0]?.protectedReason ?? '', /VS Code workspace configuration/);
      assert.deepEqual(finished.applied, ['src/x.js']);
      // Refused: settings.json byte-identical; the only change anywhere is the new x.js.
      assertOnlyChanged(result.before, result.after, { 'src/x.js': newX });
    } finally {
      result.repo.remove();
    }
  });

  test('auto mode: accepting the protected file lands it too; nothing else changes', { timeout: 120000 }, async () => {
    const result = await run('auto', acceptAll);
    try {
      assert.equal(result.finished.status, 'completed', result.finished.reason);
      assert.deepEqual([...result.finished.applied].sort(), ['.vscode/settings.json', 'src/x.js']);
      assertOnlyChanged(result.before, result.after, { 'src/x.js': newX, '.vscode/settings.json': newSettings });
    } finally {
      result.repo.remove();
    }
  });

  test('end mode: the review shows both files, the protected one flagged; the changes event carries the flag too', { timeout: 120000 }, async () => {
    const result = await run('end', (params) => ({ decisions: params.files.filter((file) => file.protectedReason === undefined).map((file) => ({ path: file.path, hunks: 'all' as const })) }));
    try {
      assert.equal(result.reviews.length, 1);
      assert.deepEqual(result.reviews[0]?.files.map((file) => [file.path, file.protectedReason !== undefined]).sort(), [['.vscode/settings.json', true], ['src/x.js', false]]);
      assert.deepEqual(result.changes[0]?.files.filter((file) => file.protectedReason !== undefined).map((file) => file.path), ['.vscode/settings.json']);
      assertOnlyChanged(result.before, result.after, { 'src/x.js': newX });
    } finally {
      result.repo.remove();
    }
  });
});
