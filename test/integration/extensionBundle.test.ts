import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bundle } from '../unit/support/bundles';

// esbuild's development build names every module it inlines in a comment (`// <path>`).
const modulesIn = (text: string): Set<string> =>
  new Set([...text.matchAll(/^\/\/ (?:.*\/)?node_modules\/((?:@[^/\n]+\/)?[^/\n]+)\//gm)].map((match) => match[1] ?? ''));

test('activation loads no language client: vscode-languageclient and its protocol are in dist/languageClient.js only', () => {
  const extension = modulesIn(readFileSync(bundle('extension.js'), 'utf8'));
  const client = modulesIn(readFileSync(bundle('languageClient.js'), 'utf8'));
  for (const heavy of ['vscode-languageclient', 'vscode-jsonrpc', 'vscode-languageserver-protocol', 'minimatch', 'semver']) {
    assert.equal(extension.has(heavy), false, `${heavy} is in dist/extension.js`);
  }
  assert.equal(client.has('vscode-languageclient'), true);
});
