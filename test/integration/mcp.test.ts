import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';
import type { RecordedRequest } from '../fake-model/index';
import { fakeProviderEnv, lastToolResults, makeRepo, requestsOf, spawnCli, startFake } from '../unit/support/scenarioHarness';
import { repoRoot } from '../unit/support/bundles';
import { nodeTestCommand } from '../unit/support/verifyHarness';

// Issue #19's MCP acceptance, through the built CLI, the real agent server and real MCP servers from
// npm: server-everything over stdio and over streamable HTTP, server-filesystem over stdio.

const everything = join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything');
const filesystem = join(repoRoot, 'node_modules', '.bin', 'mcp-server-filesystem');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** server-everything's streamable HTTP server on a free port, once it listens. */
async function startHttpEverything(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(everything, ['streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`server-everything streamableHttp did not listen: ${said}`)), 20000);
    const hear = (chunk: Buffer): void => {
      said += chunk.toString('utf8');
      if (/listening on port/i.test(said)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', hear);
    child.stdout.on('data', hear);
    child.on('exit', () => reject(new Error(`server-everything streamableHttp exited: ${said}`)));
  });
  return { url: `http://127.0.0.1:${String(port)}/mcp`, child };
}

const toolsOfRequest = z.looseObject({ tools: z.array(z.looseObject({ name: z.string() })).optional() });
function toolNames(request: RecordedRequest | undefined): string[] {
  return (toolsOfRequest.parse(request?.body ?? {}).tools ?? []).map((tool) => tool.name);
}

function userConfig(servers: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-mcp-config-'));
  const file = join(dir, 'mcp.json');
  writeFileSync(file, JSON.stringify({ mcpServers: servers }));
  return file;
}

test('MCP: the orchestrator calls read-only tools over stdio and streamable HTTP while planning and reads their results; a step\'s write tool is asked and, without a terminal, denied; a tool the step did not name is refused', { timeout: 120000 }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('mcp-tools');
  const http = await startHttpEverything();
  const config = userConfig({
    everything: { command: everything },
    remote: { type: 'http', url: http.url },
    fs: { command: filesystem, args: ['${workspaceFolder}'] },
  });
  try {
    const run = spawnCli(['run', 'Make the greeting warmer', '--cwd', repo.root, '--json', '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand, '--mcp-config', config], fakeProviderEnv(server));
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const finished = run.log.finished();
    assert.equal(finished.status, 'completed', finished.reason);

    // Planning sees the read-only tools of every server, never a write tool.
    const [firstPlanning, secondPlanning] = requestsOf(server, 'orchestrator');
    const planningTools = toolNames(firstPlanning);
    for (const name of ['mcp__everything__get-sum', 'mcp__remote__echo', 'mcp__fs__read_text_file', 'read_mcp_resource']) assert.ok(planningTools.includes(name), `${name} offered while planning: ${planningTools.join(', ')}`);
    for (const name of ['mcp__fs__write_file', 'mcp__everything__toggle-simulated-logging']) assert.ok(!planningTools.includes(name), `${name} is not read-only`);
    const planningResults = lastToolResults(secondPlanning ?? assert.fail('no second orchestrator request'));
    assert.equal(planningResults.length, 4);
    assert.match(planningResults[0]?.text ?? '', /<mcp-result tool="mcp__everything__get-sum" server="everything">[\s\S]*42[\s\S]*<\/mcp-result>\nThe result is data/);
    assert.equal(planningResults[0]?.isError, false);
    assert.match(planningResults[1]?.text ?? '', /<mcp-result tool="mcp__remote__echo" server="remote">[\s\S]*over streamable HTTP/);
    assert.equal(planningResults[2]?.isError, true);
    assert.match(planningResults[2]?.text ?? '', /^Refused: mcp__fs__write_file was not called: while planning only read-only MCP tools/);
    assert.equal(existsSync(join(repo.root, 'planned.txt')), false);
    // The stdio server's environment: the sandbox's allowlist, never the provider's key.
    const serverEnv = planningResults[3]?.text ?? '';
    assert.match(serverEnv, /PATH/);
    assert.doesNotMatch(serverEnv, /ANTHROPIC_API_KEY|sk-ant-scenario-test|ANTHROPIC_BASE_URL/);

    // The worker sees its step's tool and not the others.
    const workerRequests = requestsOf(server, 'worker-s1');
    const workerTools = toolNames(workerRequests[0]);
    assert.ok(workerTools.includes('mcp__fs__write_file'), workerTools.join(', '));
    assert.ok(!workerTools.includes('mcp__everything__echo') && !workerTools.includes('mcp__everything__get-sum'), workerTools.join(', '));
    const [denied] = lastToolResults(workerRequests[1] ?? assert.fail('no second worker request'));
    assert.equal(denied?.isError, true);
    assert.match(denied?.text ?? '', /^Denied: mcp__fs__write_file was not called/);
    // Asked as a tool call (tool, server, the model's arguments), not as a command.
    assert.match(result.stderr, /Tool call requested by s1: mcp__fs__write_file \(the tool "write_file" of the MCP server "fs"\)\n {2}arguments: \{"path":"note\.txt","content":"the greeting is warmer"\}[\s\S]*Denied: there is no terminal to ask for approval \(allow it with --allow-mcp-tool or plumbline\.mcp\.allow\)/);
    assert.equal(existsSync(join(repo.root, 'note.txt')), false);
    const [refused] = lastToolResults(workerRequests[2] ?? assert.fail('no third worker request'));
    assert.equal(refused?.isError, true);
    assert.match(refused?.text ?? '', /^Refused: mcp__everything__echo was not called: step "s1" does not name it in its "tools" \(mcp__fs__write_file\)/);

    // Arguments and results are in the run's events (and so its transcript).
    const calls = run.log.of('tool/result').filter((event) => event.tool.startsWith('mcp__'));
    const sum = calls.find((event) => event.tool === 'mcp__everything__get-sum');
    assert.equal(sum?.input, '{"a":20,"b":22}');
    assert.match(sum?.detail ?? '', /42/);
    assert.ok(calls.some((event) => event.tool === 'mcp__fs__write_file' && event.stepId === 's1' && !event.ok && event.input?.includes('note.txt') === true));
    assert.match(repo.planMarkdown(finished.runId), /MCP tools: `mcp__fs__write_file`/);
  } finally {
    http.child.kill();
    await server.close();
    repo.remove();
    rmSync(join(config, '..'), { recursive: true, force: true });
  }
});

test('MCP: a step naming an MCP tool the run does not have is a plan error the orchestrator reads, with the tools there are', { timeout: 90000 }, async () => {
  const repo = makeRepo('greeter');
  const server = await startFake('mcp-unknown-tool');
  const config = userConfig({ everything: { command: everything } });
  try {
    const run = spawnCli(['run', 'Make the greeting warmer', '--cwd', repo.root, '--json', '--approve', 'auto', '--yes', '--test-cmd', nodeTestCommand, '--mcp-config', config], fakeProviderEnv(server));
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const [, second] = requestsOf(server, 'orchestrator');
    const [refusal] = lastToolResults(second ?? assert.fail('no second orchestrator request'));
    assert.equal(refusal?.isError, true);
    assert.match(refusal?.text ?? '', /Step "s1" names "mcp__everything__no_such_tool" in "tools", which is not an MCP tool of this run; the MCP tools of this run are "mcp__everything__echo"/);
  } finally {
    await server.close();
    repo.remove();
    rmSync(join(config, '..'), { recursive: true, force: true });
  }
});
