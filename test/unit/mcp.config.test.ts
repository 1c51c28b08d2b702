import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatProblem, mergeMcpConfigs, parseMcpConfigFile, parseServerMap, type McpServerDefinition } from '../../src/agent/mcp/mcpConfig';
import { assignToolNames, maxToolNameLength, mcpToolName } from '../../src/agent/mcp/mcpNames';
import { commandPackages } from '../../src/agent/mcp/mcpLaunch';
import { definitionFingerprint, McpApprovalStore } from '../../src/agent/mcp/mcpTrust';
import { expandVariables, resolveStdio } from '../../src/agent/mcp/mcpVariables';

test('.vscode/mcp.json: comments and trailing commas, stdio and http servers, type inferred from command or url', () => {
  const text = `{
    // VS Code writes comments
    "inputs": [],
    "servers": {
      "everything": { "type": "stdio", "command": "npx", "args": ["-y", "server-everything"], "env": { "DEBUG": "1" }, },
      "docs": { "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer \${env:DOCS_TOKEN}" } },
      /* a block comment */ "plain": { "command": "my-server" },
    },
  }`;
  const parsed = parseMcpConfigFile(text, '.vscode/mcp.json', 'vscode', 'workspace');
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(
    parsed.servers.map((server) => [server.name, server.transport.kind, server.origin]),
    [['everything', 'stdio', 'workspace'], ['docs', 'http', 'workspace'], ['plain', 'stdio', 'workspace']],
  );
  const everything = parsed.servers[0]?.transport;
  assert.deepEqual(everything, { kind: 'stdio', command: 'npx', args: ['-y', 'server-everything'], env: { DEBUG: '1' } });
});

test('a bad server is a problem naming the file and the field; the other servers are kept', () => {
  const text = JSON.stringify({
    mcpServers: {
      good: { command: 'ok' },
      noCommand: { args: ['x'] },
      badUrl: { type: 'http', url: 'ftp://example.com' },
      old: { type: 'sse', url: 'http://localhost:1/sse' },
      badEnv: { command: 'x', env: { 'NOT A NAME': 'v' } },
      weird: { type: 'websocket', url: 'ws://x' },
    },
  });
  const parsed = parseMcpConfigFile(text, '/repo/.mcp.json', 'mcpServers', 'workspace');
  assert.deepEqual(parsed.servers.map((server) => server.name), ['good']);
  const lines = parsed.problems.map(formatProblem);
  assert.ok(lines.some((line) => line.startsWith('/repo/.mcp.json: mcpServers.noCommand.command:')), lines.join('\n'));
  assert.ok(lines.some((line) => line.startsWith('/repo/.mcp.json: mcpServers.badUrl.url: url must be an http')), lines.join('\n'));
  assert.ok(lines.some((line) => line.startsWith('/repo/.mcp.json: mcpServers.old.type: the "sse" transport')), lines.join('\n'));
  assert.ok(lines.some((line) => line.startsWith('/repo/.mcp.json: mcpServers.badEnv.env.NOT A NAME')), lines.join('\n'));
  assert.ok(lines.some((line) => line.startsWith('/repo/.mcp.json: mcpServers.weird.type: "websocket" is not a transport')), lines.join('\n'));
});

test('a file that is not JSON, or holds no servers key, is one problem and no servers', () => {
  assert.match(formatProblem(parseMcpConfigFile('{ nope', 'a.json', 'mcpServers', 'user').problems[0] ?? assert.fail()), /^a\.json: \(file\): not valid JSON/);
  assert.match(formatProblem(parseMcpConfigFile('{"servers":{}}', 'b.json', 'mcpServers', 'user').problems[0] ?? assert.fail()), /^b\.json: mcpServers: missing/);
  assert.deepEqual(parseServerMap(['x'], 'plumbline.mcp.servers', 'user', 'plumbline.mcp.servers').problems.map((problem) => problem.field), ['plumbline.mcp.servers']);
});

test('merging: the user\'s definition wins over a workspace one of the same name, which is reported', () => {
  const user = parseServerMap({ tracker: { command: 'mine' } }, 'plumbline.mcp.servers', 'user', 'plumbline.mcp.servers');
  const workspace = parseMcpConfigFile(JSON.stringify({ mcpServers: { tracker: { command: 'theirs' }, other: { command: 'o' } } }), '.mcp.json', 'mcpServers', 'workspace');
  const merged = mergeMcpConfigs([user, workspace]);
  assert.deepEqual(merged.servers.map((server) => [server.name, server.origin]), [['tracker', 'user'], ['other', 'workspace']]);
  assert.match(formatProblem(merged.problems[0] ?? assert.fail()), /already defined in plumbline\.mcp\.servers/);
});

test('tool names: mcp__server__tool, sanitised to the providers\' characters, capped at 64, collisions kept apart', () => {
  assert.equal(mcpToolName('everything', 'get-sum'), 'mcp__everything__get-sum');
  assert.equal(mcpToolName('my server', 'read.file'), 'mcp__my_server__read_file');
  const long = mcpToolName('a'.repeat(50), 'b'.repeat(50));
  assert.equal(long.length, maxToolNameLength);
  assert.match(long, /^mcp__a{20}__b+_[0-9a-f]{6}$/);
  assert.notEqual(mcpToolName('a'.repeat(50), 'b'.repeat(50)), mcpToolName('a'.repeat(50), `${'b'.repeat(49)}c`));
  const named = assignToolNames([
    { server: 'x', tool: 'a.b' },
    { server: 'x', tool: 'a_b' },
    { server: 'x', tool: 'a b' },
  ]);
  assert.equal(named.size, 3);
  for (const name of named.keys()) assert.match(name, /^[A-Za-z0-9_-]{1,64}$/);
  assert.deepEqual([...named.values()].map((entry) => entry.tool), ['a.b', 'a_b', 'a b']);
});

function stdio(name: string, command: string, args: string[], env: Record<string, string> = {}): McpServerDefinition {
  return { name, origin: 'workspace', source: '.mcp.json', transport: { kind: 'stdio', command, args, env } };
}

test('fingerprints: the same definition is the same; a changed command, argument, variable, value or reference is not', () => {
  const base = definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: 'a' }));
  assert.equal(definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: 'a' })), base);
  // A value can run code (NODE_OPTIONS=--require ./evil.js), so a changed one asks again.
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: 'b' })), base, 'a changed value is a changed definition');
  const quiet = definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: 'a', NODE_OPTIONS: '' }));
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: 'a', NODE_OPTIONS: '--require ./evil.js' })), quiet);
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'node', ['evil.js'], { TOKEN: 'a' })), base);
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'python', ['server.js'], { TOKEN: 'a' })), base);
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { OTHER: 'a' })), base);
  assert.notEqual(definitionFingerprint('/repo', stdio('s', 'node', ['server.js'], { TOKEN: '${env:AWS_SECRET_ACCESS_KEY}' })), base);
  assert.notEqual(definitionFingerprint('/other', stdio('s', 'node', ['server.js'], { TOKEN: 'a' })), base, 'approval is per workspace');
  assert.notEqual(definitionFingerprint('/repo', stdio('t', 'node', ['server.js'], { TOKEN: 'a' })), base);
});

test('the approval store remembers fingerprints in the user\'s state folder; a damaged file approves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-mcp-store-'));
  try {
    const store = new McpApprovalStore(join(dir, 'nested', 'mcp-approvals.json'));
    const fingerprint = definitionFingerprint('/repo', stdio('s', 'node', []));
    assert.equal(await store.isApproved(fingerprint), false);
    await store.approve(fingerprint);
    assert.equal(await new McpApprovalStore(join(dir, 'nested', 'mcp-approvals.json')).isApproved(fingerprint), true);
    assert.equal(await new McpApprovalStore(join(dir, 'missing.json')).isApproved(fingerprint), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('variables: ${workspaceFolder}, ${env:X} and ${X} expand; provider keys and ${input:…} are refused with what to do', () => {
  const env = { DOCS: 'd', OPENAI_API_KEY: 'sk-secret' };
  assert.equal(expandVariables('${workspaceFolder}/x ${env:DOCS} ${DOCS} ${env:MISSING}.', env, '/repo'), '/repo/x d d .');
  assert.match(String(expandVariables('${env:OPENAI_API_KEY}', env, '/repo')), /provider key/);
  assert.match(String(expandVariables('${input:token}', env, '/repo')), /\$\{env:NAME\}/);
  const resolved = resolveStdio(stdio('s', 'node', ['${workspaceFolder}/server.js'], { TOKEN: '${env:DOCS}' }), { ...env, PATH: '/bin', SECRET_THING: 'x' }, '/repo');
  assert.ok(!(resolved instanceof Error));
  assert.deepEqual(resolved.args, ['/repo/server.js']);
  assert.equal(resolved.env.TOKEN, 'd');
  assert.equal(resolved.env.PATH, '/bin');
  assert.equal(resolved.env.OPENAI_API_KEY, undefined);
  assert.equal(resolved.env.SECRET_THING, undefined);
  const refused = resolveStdio(stdio('s', 'node', [], { OPENAI_API_KEY: 'x' }), env, '/repo');
  assert.ok(refused instanceof Error);
  assert.match(refused.message, /provider key/);
});

test("a stdio server's command in node_modules makes that node_modules readable in its sandbox, read where it really is; nothing else opens", () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-mcp-launch-')));
  try {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'server', 'dist'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'server', 'dist', 'index.js'), '');
    symlinkSync(join('..', 'server', 'dist', 'index.js'), join(dir, 'node_modules', '.bin', 'server'));
    assert.deepEqual(commandPackages(join(dir, 'node_modules', '.bin', 'server')), [join(dir, 'node_modules')]);
    assert.deepEqual(commandPackages('npx'), [], 'a command found on PATH opens nothing');
    assert.deepEqual(commandPackages(join(dir, 'secret', 'tool')), [], 'a command outside node_modules opens nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
