import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPlan } from '../../src/agent/plan/planState';
import { submittedPlanSchema } from '../../src/protocol/plan';
import { protectedFilesNote } from '../../src/agent/run/protectedPlanNote';

const plan = (files: Record<string, string[]>) =>
  createPlan(
    'run-1',
    'Do it',
    submittedPlanSchema.parse({
      summary: 'Steps.',
      steps: Object.entries(files).map(([id, owned]) => ({ id, title: id, instructions: 'Go.', files: owned })),
    }),
  );

test('a plan owning files that run code says so before approval, naming each file, its step and why', () => {
  const note = protectedFilesNote(plan({ s1: ['src/a.js'], s2: ['.vscode/settings.json', 'src/b.js'], s3: ['.github/workflows/ci.yml', '.env.local'] }));
  assert.ok(note !== undefined);
  assert.match(note, /always need your approval, even in auto mode/);
  assert.match(note, /\.vscode\/settings\.json \(step s2: /);
  assert.match(note, /\.github\/workflows\/ci\.yml \(step s3: /);
  assert.match(note, /\.env\.local \(step s3: /);
  assert.doesNotMatch(note, /src\/[ab]\.js/);
});

test('a plan of ordinary files has no such note (package.json is judged by its change, at review)', () => {
  assert.equal(protectedFilesNote(plan({ s1: ['src/a.js', 'package.json'], s2: ['README.md'] })), undefined);
});
