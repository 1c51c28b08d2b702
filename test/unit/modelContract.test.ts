import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withToolReference } from '../../scripts/model-contract';
import { repoRoot } from './support/bundles';

test('docs/model-contract.md shows exactly the tools models are sent (run npm run docs:contract)', () => {
  const document = readFileSync(join(repoRoot, 'docs', 'model-contract.md'), 'utf8');
  assert.equal(document, withToolReference(document));
  for (const name of ['list_files', 'read_file', 'search_text', 'submit_plan', 'edit_file', 'create_file', 'delete_file', 'finish']) {
    assert.match(document, new RegExp(`#### \`${name}\``));
  }
});
