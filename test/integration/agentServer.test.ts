import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { startServerSession, type ServerSession } from '../../src/cli/serverConnection';
import { statusRequest } from '../../src/protocol/methods';
import { bundle, packageVersion } from '../unit/support/bundles';

describe('the agent server over stdio', () => {
  let folder: string;
  let session: ServerSession;
  const logs: string[] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plumbline-server-'));
    session = await startServerSession({
      serverPath: bundle('server.js'),
      workspaceFolder: folder,
      timeoutMs: 15000,
      onLog: (line) => logs.push(line),
    });
  });

  after(async () => {
    await session.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('initialize reports the server name, version and incremental sync', () => {
    assert.equal(session.initializeResult.serverInfo?.name, 'plumbline-agent-server');
    assert.equal(session.initializeResult.serverInfo?.version, packageVersion);
    assert.equal(session.initializeResult.capabilities.textDocumentSync, 2);
  });

  test('plumbline/status describes the server and its workspace', async () => {
    const status = await session.request(statusRequest, {});
    assert.equal(status.pid, session.process.pid);
    assert.equal(status.node, process.version);
    assert.equal(status.workspaceFolders.length, 1);
    assert.equal(status.workspaceFolders[0]?.path, folder);
    assert.equal(status.workspaceFolders[0]?.isGitRepository, false);
    assert.deepEqual(status.providers.map((provider) => provider.id), ['openai', 'anthropic', 'vscode-lm']);
  });

  test('unsaved edits reach the server through document sync', async () => {
    const uri = pathToFileURL(join(folder, 'a.ts')).toString();
    await session.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'typescript', version: 1, text: 'const a = 1;\n' },
    });
    await session.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 10 }, end: { line: 0, character: 11 } }, text: '2' }],
    });
    const status = await session.request(statusRequest, {});
    assert.deepEqual(status.documents, [{ uri, version: 2, languageId: 'typescript' }]);
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await session.request(statusRequest, {})).documents, []);
  });

  test('invalid params are refused with InvalidParams and a message naming the field', async () => {
    await assert.rejects(session.connection.sendRequest(statusRequest.method, { bogus: 1 }), (error: unknown) => {
      assert.ok(error instanceof ResponseError);
      assert.equal(error.code, -32602);
      assert.match(error.message, /Invalid data for plumbline\/status: .*bogus/);
      return true;
    });
  });

  test('the server logs its readiness to the client, not to stdout', () => {
    assert.ok(logs.some((line) => /plumbline-agent-server .* ready \(pid \d+/.test(line)), logs.join('\n'));
  });
});

test('without a transport flag the server explains how to start it and exits 2', () => {
  const result = spawnSync(process.execPath, [bundle('server.js')], { encoding: 'utf8', timeout: 10000 });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /start it with --stdio/);
});

test('a server that dies in the middle of a message fails the start, and the client process still exits', () => {
  // In a process of its own: what is checked is that nothing keeps it alive afterwards (the
  // JSON-RPC reader's partial-message timer re-arms itself forever unless it is off).
  const repoRoot = join(__dirname, '..', '..');
  const script = [
    `const { startServerSession } = require(${JSON.stringify(join(repoRoot, 'src', 'cli', 'serverConnection.ts'))});`,
    `startServerSession({ serverPath: ${JSON.stringify(join(repoRoot, 'test', 'fixtures', 'servers', 'diesMidMessage.cjs'))}, workspaceFolder: ${JSON.stringify(repoRoot)}, timeoutMs: 5000 })`,
    "  .then(() => { console.log('started'); }, (error) => { console.log('refused: ' + error.message); });",
  ].join('\n');
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 15000, cwd: repoRoot });
  assert.equal(result.signal, null, `the client was still running after ${String(Date.now() - started)} ms (killed by the test's timeout)`);
  assert.match(result.stdout, /^refused: the agent server exited \(code 1\)/m);
  assert.ok(Date.now() - started < 12000);
});
