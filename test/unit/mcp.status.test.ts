import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseServerMap, type ParsedMcpConfig } from '../../src/agent/mcp/mcpConfig';
import { McpHub } from '../../src/agent/mcp/mcpHub';
import { definitionFingerprint, McpApprovalStore, serverKey } from '../../src/agent/mcp/mcpTrust';
import type { McpServerStatus } from '../../src/protocol/mcp';
import { describeMcpServer, summarizeMcp } from '../../src/webview/mcpView';

// The sidebar's view of the MCP servers (`plumbline/mcp/status` with `start: false`): what is
// configured and whether it may start, read without starting a process or asking anything.

function setup(): { root: string; marker: string; store: McpApprovalStore; hub: McpHub; probes: string[]; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-mcp-status-'));
  const store = new McpApprovalStore(join(root, 'state', 'mcp-approvals.json'));
  const probes: string[] = [];
  const hub = new McpHub({
    root,
    env: process.env,
    // Probing the sandbox is the first thing a stdio start does: a status that starts nothing never asks.
    sandbox: () => {
      probes.push('sandbox');
      return Promise.reject(new Error('a status that starts nothing probed the sandbox'));
    },
    approvals: store,
    log: () => undefined,
  });
  return { root, marker: join(root, 'started'), store, hub, probes, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A server whose process would leave a marker file: it must never appear. */
function config(marker: string, args: string[] = [], origin: 'workspace' | 'user' = 'workspace'): ParsedMcpConfig {
  const source = origin === 'workspace' ? '.vscode/mcp.json' : 'plumbline.mcp.servers (user settings)';
  return parseServerMap({ marker: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`, ...args] } }, source, origin, 'servers');
}

test('MCP status without starting: a workspace server not yet approved is listed as needing approval, and nothing runs', async () => {
  const { marker, hub, probes, remove } = setup();
  try {
    const status = await hub.describe(config(marker), true);
    assert.equal(status.servers.length, 1);
    const server = status.servers[0];
    assert.equal(server?.name, 'marker');
    assert.equal(server?.approval, 'needs-approval');
    assert.equal(server?.state, 'stopped');
    assert.equal(server?.origin, 'workspace');
    assert.equal(server?.source, '.vscode/mcp.json');
    assert.equal(server?.transport, 'stdio');
    assert.match(server?.summary ?? '', /writeFileSync/);
    assert.match(server?.detail ?? '', /starts once you approve this definition/);
    assert.deepEqual(server?.tools, []);
    // Give a started process time to write its marker: none was started.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(existsSync(marker), false, 'no server process started');
    assert.deepEqual(probes, []);
  } finally {
    remove();
  }
});

test('MCP status without starting: a changed definition shows as changed (asked again); the approved one as approved; Restricted Mode as untrusted; the user\'s own needs nothing', async () => {
  const { root, marker, store, hub, probes, remove } = setup();
  try {
    const first = config(marker);
    const definition = first.servers[0];
    assert.ok(definition !== undefined);
    await store.approve(definitionFingerprint(root, definition), serverKey(root, definition.name));
    assert.equal((await hub.describe(first, true)).servers[0]?.approval, 'approved');
    assert.match((await hub.describe(first, true)).servers[0]?.detail ?? '', /starts with the next run/);

    const changed = (await hub.describe(config(marker, ['--changed']), true)).servers[0];
    assert.equal(changed?.approval, 'changed');
    assert.equal(changed?.state, 'stopped');
    assert.match(changed?.detail ?? '', /changed since you approved it/);

    const restricted = (await hub.describe(first, false)).servers[0];
    assert.equal(restricted?.approval, 'untrusted');
    assert.equal(restricted?.state, 'untrusted');

    const own = (await hub.describe(config(marker, [], 'user'), false)).servers[0];
    assert.equal(own?.approval, 'not-needed');
    assert.equal(own?.state, 'stopped');

    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(existsSync(marker), false, 'no server process started');
    assert.deepEqual(probes, []);
  } finally {
    remove();
  }
});

test('the approval store tells a changed definition from an unknown one, and reads files written before it knew servers', async () => {
  const { root, store, remove } = setup();
  try {
    const key = serverKey(root, 'a');
    assert.equal(await store.lookup('a'.repeat(64), key), 'unknown');
    await store.approve('a'.repeat(64), key);
    assert.equal(await store.lookup('a'.repeat(64), key), 'approved');
    assert.equal(await store.lookup('b'.repeat(64), key), 'changed');
    assert.equal(await store.lookup('b'.repeat(64), serverKey(root, 'other')), 'unknown');
    await store.approve('c'.repeat(64));
    assert.equal(await store.isApproved('c'.repeat(64)), true);
  } finally {
    remove();
  }
});

test('the sidebar\'s words for a server: what it needs, and whether it offers Start (never in Restricted Mode or while running)', () => {
  const base: McpServerStatus = { name: 'tracker', origin: 'workspace', source: '.vscode/mcp.json', transport: 'stdio', state: 'stopped', approval: 'needs-approval', detail: '', summary: 'node server.js', tools: [] };
  assert.deepEqual(describeMcpServer(base, true), { icon: 'circle-large-outline', label: 'needs your approval', start: 'Approve and Start…' });
  assert.equal(describeMcpServer({ ...base, approval: 'changed' }, true).label, 'definition changed: needs your approval again');
  assert.equal(describeMcpServer(base, false).start, null);
  assert.equal(describeMcpServer({ ...base, approval: 'untrusted', state: 'untrusted' }, true).start, null);
  assert.equal(describeMcpServer({ ...base, origin: 'user', approval: 'not-needed' }, true).start, 'Start');
  const running = { ...base, approval: 'approved' as const, state: 'ready' as const, tools: [{ name: 'mcp__tracker__find', readOnly: true }] };
  assert.deepEqual(describeMcpServer(running, true), { icon: 'pass', label: 'running · 1 tool', start: null });
  assert.equal(summarizeMcp({ servers: [base, running], problems: ['.mcp.json: (file): not valid JSON'] }), 'MCP servers: 2 · 1 running · 1 needs approval · 1 problem');
});
