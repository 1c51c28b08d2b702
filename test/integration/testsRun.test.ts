import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServerSession, type ServerSession } from '../../src/cli/serverConnection';
import { testsRunRequest } from '../../src/protocol/methods';
import { mapTestLocation } from '../../src/client/runs/testLocations';
import { bundle, repoRoot } from '../unit/support/bundles';
import { existsSync, realpathSync } from 'node:fs';

describe('plumbline/tests/run (Fix Failing Tests)', () => {
  let folder: string;
  let session: ServerSession;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plumbline-tests-run-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'repos', 'greeter'), folder, { recursive: true });
    session = await startServerSession({ serverPath: bundle('server.js'), workspaceFolder: folder, timeoutMs: 15000 });
  });

  after(async () => {
    await session.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('passing tests: the evidence says so', async () => {
    const { evidence } = await session.request(testsRunRequest, {});
    assert.equal(evidence.verdict, 'passed', evidence.reason);
    assert.equal(evidence.command, 'npm test');
    assert.equal(evidence.passed, 2);
  });

  test('a failing test: named, located, and mapped back to the workspace file before it leaves the server', async () => {
    writeFileSync(join(folder, 'test', 'broken.test.js'), "const test = require('node:test');\nconst assert = require('node:assert/strict');\n\ntest('greets loudly', () => {\n  assert.equal('a', 'A');\n});\n");
    const { evidence } = await session.request(testsRunRequest, {});
    assert.equal(evidence.verdict, 'failed');
    assert.deepEqual(evidence.preexistingFailures, ['greets loudly']);
    const [location] = evidence.locations;
    assert.ok(location !== undefined);
    // The runner ran in the isolated copy; its paths are mapped to the workspace's in the server's output scrubber.
    assert.equal(realpathSync(location.file), realpathSync(join(folder, 'test', 'broken.test.js')));
    assert.doesNotMatch(evidence.excerpt, /plumbline-verify-\d+-/);
    assert.equal(location.line, 5);
    assert.equal(realpathSync(mapTestLocation(location.file, folder, existsSync) ?? ''), realpathSync(join(folder, 'test', 'broken.test.js')));
  });
});
