import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as z from 'zod';
import { startServerSession } from '../../src/cli/serverConnection';
import type { McpServerApprovalAnswer, mcpServerApprovalParamsSchema } from '../../src/protocol/mcp';
import { mcpServerApprovalRequest, mcpStartRequest, mcpStatusRequest } from '../../src/protocol/methods';
import { bundle, repoRoot } from '../unit/support/bundles';
import { makeRepo, type TempRepo } from '../unit/support/scenarioHarness';

// A server the workspace defines runs code: the real agent server starts it only in a trusted
// workspace, after the user approved that exact definition; approved once, it is remembered (in the
// user's state folder), and a changed definition asks again.

type Question = z.infer<typeof mcpServerApprovalParamsSchema>;
const everything = join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything');

async function statusWith(repo: TempRepo, stateDir: string, trusted: boolean, answer: (question: Question) => McpServerApprovalAnswer): Promise<{ asked: Question[]; server: { state: string; detail: string; tools: unknown[] } | undefined }> {
  const session = await startServerSession({ serverPath: bundle('server.js'), workspaceFolder: repo.root, timeoutMs: 20000, workspaceTrusted: trusted, env: { ...process.env, PLUMBLINE_STATE_DIR: stateDir } });
  try {
    const asked: Question[] = [];
    session.onRequest(mcpServerApprovalRequest, (question) => {
      asked.push(question);
      return answer(question);
    });
    const status = await session.request(mcpStatusRequest, {});
    return { asked, server: status.servers.find((server) => server.name === 'ws') };
  } finally {
    await session.close();
  }
}

test('MCP trust: a workspace .mcp.json server does not start in Restricted Mode or before approval; approved once it is remembered; a changed definition asks again', { timeout: 120000 }, async () => {
  const repo = makeRepo('greeter');
  const stateDir = mkdtempSync(join(tmpdir(), 'plumbline-mcp-state-'));
  const define = (args: string[]): void => writeFileSync(join(repo.root, '.mcp.json'), JSON.stringify({ mcpServers: { ws: { command: everything, args, env: { GREETING: 'hi' } } } }));
  try {
    define([]);
    const approve = (): McpServerApprovalAnswer => ({ decision: 'approve' });

    const restricted = await statusWith(repo, stateDir, false, approve);
    assert.equal(restricted.server?.state, 'untrusted');
    assert.deepEqual(restricted.server?.tools, []);
    assert.equal(restricted.asked.length, 0, 'Restricted Mode asks nothing');

    const unanswered = await statusWith(repo, stateDir, true, () => ({ decision: 'deny', unanswered: 'no terminal to ask on' }));
    assert.equal(unanswered.server?.state, 'not-approved');
    assert.match(unanswered.server?.detail ?? '', /not approved yet \(no terminal to ask on\), so it was not started/);
    assert.equal(unanswered.asked[0]?.name, 'ws');
    assert.equal(unanswered.asked[0]?.summary, everything);
    assert.deepEqual(unanswered.asked[0]?.environment, ['GREETING']);

    const declined = await statusWith(repo, stateDir, true, () => ({ decision: 'deny' }));
    assert.equal(declined.server?.state, 'not-approved');
    assert.match(declined.server?.detail ?? '', /you declined/);

    const approved = await statusWith(repo, stateDir, true, approve);
    assert.equal(approved.asked.length, 1);
    assert.equal(approved.server?.state, 'ready', approved.server?.detail);
    assert.ok((approved.server?.tools.length ?? 0) > 0);
    assert.match(readFileSync(join(stateDir, 'mcp-approvals.json'), 'utf8'), /"approved"/);

    const again = await statusWith(repo, stateDir, true, approve);
    assert.equal(again.asked.length, 0, 'an approved definition is not asked about again');
    assert.equal(again.server?.state, 'ready');

    define(['stdio']);
    const changed = await statusWith(repo, stateDir, true, () => ({ decision: 'deny' }));
    assert.equal(changed.asked.length, 1, 'a changed definition asks again');
    assert.equal(changed.asked[0]?.summary, `${everything} stdio`);
    assert.equal(changed.server?.state, 'not-approved');
  } finally {
    repo.remove();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('MCP status for the sidebar starts nothing and asks nothing: a workspace server is listed as needing approval; Start asks, then it runs with its tools', { timeout: 120000 }, async () => {
  const repo = makeRepo('greeter');
  const stateDir = mkdtempSync(join(tmpdir(), 'plumbline-mcp-state-'));
  const marker = join(stateDir, 'marker-started');
  mkdirSync(join(repo.root, '.vscode'), { recursive: true });
  writeFileSync(
    join(repo.root, '.vscode', 'mcp.json'),
    JSON.stringify({ servers: { marker: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] }, ws: { command: everything } } }),
  );
  // No sandbox, so a started marker server could write its marker where the test looks (a sandboxed one has a private /tmp).
  const session = await startServerSession({ serverPath: bundle('server.js'), workspaceFolder: repo.root, timeoutMs: 20000, workspaceTrusted: true, env: { ...process.env, PLUMBLINE_STATE_DIR: stateDir, PLUMBLINE_TEST_SANDBOX_UNAVAILABLE: '1' } });
  try {
    const asked: Question[] = [];
    session.onRequest(mcpServerApprovalRequest, (question) => {
      asked.push(question);
      return { decision: 'approve' };
    });
    const listed = await session.request(mcpStatusRequest, { start: false });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(existsSync(marker), false, 'no server process started');
    assert.equal(asked.length, 0, 'nothing was asked');
    assert.deepEqual(listed.servers.map((server) => [server.name, server.approval, server.state, server.source]), [
      ['marker', 'needs-approval', 'stopped', '.vscode/mcp.json'],
      ['ws', 'needs-approval', 'stopped', '.vscode/mcp.json'],
    ]);

    const started = await session.request(mcpStartRequest, { name: 'ws' });
    assert.deepEqual(asked.map((question) => question.name), ['ws'], 'only the server started is asked about');
    const ws = started.servers.find((server) => server.name === 'ws');
    assert.equal(ws?.state, 'ready', ws?.detail);
    assert.equal(ws?.approval, 'approved');
    assert.ok(ws.tools.some((tool) => tool.name === 'mcp__ws__echo' && (tool.description ?? '') !== ''), JSON.stringify(ws.tools.slice(0, 3)));
    assert.equal(started.servers.find((server) => server.name === 'marker')?.state, 'stopped');
    assert.equal(existsSync(marker), false, 'the other server was not started');
    assert.match(ws.detail, /unconfined/, 'the marker would be seen: nothing confines a started server here');

    // Running servers are reported without starting anything else.
    const again = await session.request(mcpStatusRequest, { start: false });
    assert.equal(again.servers.find((server) => server.name === 'ws')?.state, 'ready');
    assert.equal(existsSync(marker), false);
    await assert.rejects(session.request(mcpStartRequest, { name: 'nope' }), /No MCP server named "nope"/);
  } finally {
    await session.close();
    repo.remove();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
