import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import type { FakeModelServer } from '../fake-model/index';
import { bundle, repoRoot } from '../unit/support/bundles';
import { fakeProviderEnv, makeRepo, requestsOf, startFake, type TempRepo } from '../unit/support/scenarioHarness';
import { nodeTestCommand } from '../unit/support/verifyHarness';

// `plumbline acp` driven by the ACP SDK's own client, as Zed or JetBrains would drive it: the built
// CLI as a child process, the scripted model, a real git repository, real verification.

type Answer = (request: acp.RequestPermissionRequest, agent: acp.ClientContext) => acp.RequestPermissionResponse | Promise<acp.RequestPermissionResponse>;

interface Editor {
  readonly agent: acp.ClientContext;
  readonly updates: acp.SessionUpdate[];
  readonly permissions: acp.RequestPermissionRequest[];
  readonly writes: acp.WriteTextFileRequest[];
  readonly reads: string[];
  stderr(): string;
  close(): Promise<void>;
}

/** An editor with unsaved buffers (absolute path → text) and an answer for each permission request. */
function startEditor(repo: TempRepo, env: NodeJS.ProcessEnv, options: { answer: Answer; buffers?: ReadonlyMap<string, string>; flags?: readonly string[] }): Editor {
  const child = spawn(process.execPath, [bundle('cli.js'), 'acp', '--test-cmd', nodeTestCommand, '--unsandboxed', 'run', ...(options.flags ?? [])], { cwd: repo.root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const updates: acp.SessionUpdate[] = [];
  const permissions: acp.RequestPermissionRequest[] = [];
  const writes: acp.WriteTextFileRequest[] = [];
  const reads: string[] = [];
  const app = acp
    .client({ name: 'plumbline-acp-test' })
    .onNotification(acp.methods.client.session.update, ({ params }) => {
      updates.push(params.update);
    })
    .onRequest(acp.methods.client.session.requestPermission, ({ params, agent }) => {
      permissions.push(params);
      return options.answer(params, agent);
    })
    .onRequest(acp.methods.client.fs.readTextFile, ({ params }) => {
      reads.push(params.path);
      return { content: options.buffers?.get(params.path) ?? readFileSync(params.path, 'utf8') };
    })
    .onRequest(acp.methods.client.fs.writeTextFile, ({ params }) => {
      // An editor that saves what the agent writes.
      writes.push(params);
      writeFileSync(params.path, params.content);
      return {};
    });
  const connection = app.connect(acp.ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    agent: connection.agent,
    updates,
    permissions,
    writes,
    reads,
    stderr: () => stderr,
    async close() {
      connection.close();
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const selected = (optionId: string): acp.RequestPermissionResponse => ({ outcome: { outcome: 'selected', optionId } });

/** Answers by what is asked: the plan, a command, a file's review, the sandbox. */
function answerBy(choices: { plan: string; command: string; review: string }): Answer {
  return ({ toolCall }) => {
    const id = toolCall.toolCallId;
    if (id.startsWith('plan-')) return selected(choices.plan);
    if (id.startsWith('command-')) return selected(choices.command);
    if (id.startsWith('edit-')) return selected(choices.review);
    return selected('run');
  };
}

async function openSession(editor: Editor, repo: TempRepo): Promise<{ initialized: acp.InitializeResponse; sessionId: string }> {
  const initialized = await editor.agent.request(acp.methods.agent.initialize, {
    protocolVersion: acp.PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: true, writeTextFile: true } },
    clientInfo: { name: 'plumbline-acp-test', version: '1.0.0' },
  });
  const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, { cwd: repo.root, mcpServers: [] });
  return { initialized, sessionId };
}

function toolCalls(updates: readonly acp.SessionUpdate[]): Extract<acp.SessionUpdate, { sessionUpdate: 'tool_call' }>[] {
  return updates.filter((update): update is Extract<acp.SessionUpdate, { sessionUpdate: 'tool_call' }> => update.sessionUpdate === 'tool_call');
}

function toolCallUpdates(updates: readonly acp.SessionUpdate[], toolCallId: string): Extract<acp.SessionUpdate, { sessionUpdate: 'tool_call_update' }>[] {
  return updates.filter((update): update is Extract<acp.SessionUpdate, { sessionUpdate: 'tool_call_update' }> => update.sessionUpdate === 'tool_call_update' && update.toolCallId === toolCallId);
}

function planStatuses(updates: readonly acp.SessionUpdate[]): string[] {
  const statuses = updates.flatMap((update) => (update.sessionUpdate === 'plan' ? update.entries.map((entry) => `${entry.content}=${entry.status}`) : []));
  return statuses.filter((status, index) => index === 0 || statuses[index - 1] !== status);
}

async function withRun(body: (repo: TempRepo, server: FakeModelServer) => Promise<void>): Promise<void> {
  const repo = makeRepo('greeter');
  const server = await startFake('acp-run');
  try {
    await body(repo, server);
  } finally {
    await server.close();
    repo.remove();
  }
}

test('plumbline acp: a whole run through the SDK client: plan entries, permission for the plan, the command and the file, tool calls, the landing through the editor, end_turn', { timeout: 120000 }, async () => {
  await withRun(async (repo, server) => {
    const greet = join(repo.root, 'src', 'greet.js');
    const disk = readFileSync(greet, 'utf8');
    // The user's unsaved edit in the editor: the run must work on it and keep it.
    const buffers = new Map([[greet, `'use strict';\n${disk}`]]);
    const editor = startEditor(repo, fakeProviderEnv(server), { answer: answerBy({ plan: 'approve', command: 'run', review: 'accept' }), buffers });
    try {
      const { initialized, sessionId } = await openSession(editor, repo);
      assert.equal(initialized.protocolVersion, acp.PROTOCOL_VERSION);
      assert.equal(initialized.agentCapabilities?.promptCapabilities?.embeddedContext, true);
      assert.deepEqual(initialized.authMethods?.map((method) => method.id), ['environment']);

      const result = await editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'Make the greeting warmer' }] });
      assert.equal(result.stopReason, 'end_turn', editor.stderr());

      // The plan, one entry per step, from pending through in progress to completed.
      const plan = planStatuses(editor.updates);
      assert.ok(plan.indexOf('s1: Warmer greeting=pending') < plan.indexOf('s1: Warmer greeting=in_progress'), plan.join(', '));
      assert.ok(plan.indexOf('s1: Warmer greeting=in_progress') < plan.indexOf('s1: Warmer greeting=completed'), plan.join(', '));
      const entry = editor.updates.flatMap((update) => (update.sessionUpdate === 'plan' ? update.entries : [])).at(-1);
      assert.equal(entry?.priority, 'medium');

      // Three questions, in order: run the plan, run the command, accept the file.
      assert.deepEqual(editor.permissions.map((request) => request.toolCall.toolCallId.split('-')[0]), ['plan', 'command', 'edit']);
      const [planAsk, commandAsk, reviewAsk] = editor.permissions;
      assert.deepEqual(planAsk?.options.map((option) => [option.optionId, option.name, option.kind]), [['approve', 'Run Plan', 'allow_once'], ['cancel', 'Cancel', 'reject_once']]);
      assert.match(commandAsk?.toolCall.title ?? '', /s1: node --version/);
      assert.equal(commandAsk?.toolCall.kind, 'execute');
      assert.equal(reviewAsk?.toolCall.kind, 'edit');

      // Tool calls: the worker's read (kind read, located in the file), the command's result, the tests.
      const calls = toolCalls(editor.updates);
      const read = calls.find((call) => call.title === 's1: read_file src/greet.js');
      assert.equal(read?.kind, 'read');
      assert.equal(read?.status, 'completed');
      assert.deepEqual(read?.locations, [{ path: greet }]);
      const commandId = commandAsk?.toolCall.toolCallId ?? '';
      assert.deepEqual(toolCallUpdates(editor.updates, commandId).map((update) => update.status), ['in_progress', 'completed']);
      assert.ok(calls.some((call) => call.kind === 'execute' && /^Tests \(s1 attempt 1\): passed/.test(call.title)), calls.map((call) => call.title).join('\n'));

      // The review showed the whole file, from the user's unsaved text to the proposal; then it landed.
      const editId = reviewAsk?.toolCall.toolCallId ?? '';
      const editUpdates = toolCallUpdates(editor.updates, editId);
      const diff = editUpdates.flatMap((update) => update.content ?? []).find((content) => content.type === 'diff');
      assert.equal(diff?.type === 'diff' ? diff.path : undefined, greet);
      const landed = `'use strict';\n// A warm greeting.\n${disk}`;
      assert.equal(diff?.type === 'diff' ? diff.oldText : undefined, `'use strict';\n${disk}`);
      assert.equal(diff?.type === 'diff' ? diff.newText : undefined, landed);
      assert.equal(editUpdates.at(-1)?.status, 'completed');
      assert.match(editUpdates.at(-1)?.title ?? '', /^Applied src\/greet\.js/);

      // Landed through the editor's file system, and the disk holds exactly the accepted text.
      assert.deepEqual(editor.writes.map((write) => [write.path, write.content]), [[greet, landed]]);
      assert.equal(readFileSync(greet, 'utf8'), landed);
      assert.ok(editor.reads.includes(greet), 'the unsaved buffer was read from the editor');

      const said = editor.updates.flatMap((update) => (update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text' ? [update.content.text] : [])).join('');
      assert.match(said, /Plumbline run \S+/);
      assert.match(said, /✓ s1 done: Added a warm comment\./);
    } finally {
      await editor.close();
    }
  });
});

test('plumbline acp: denied permissions land nothing (the command is denied, the file rejected)', { timeout: 120000 }, async () => {
  await withRun(async (repo, server) => {
    const greet = join(repo.root, 'src', 'greet.js');
    const before = readFileSync(greet);
    const editor = startEditor(repo, fakeProviderEnv(server), { answer: answerBy({ plan: 'approve', command: 'deny', review: 'reject' }) });
    try {
      const { sessionId } = await openSession(editor, repo);
      const result = await editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'Make the greeting warmer' }] });
      assert.equal(result.stopReason, 'end_turn', editor.stderr());
      assert.deepEqual(editor.permissions.map((request) => request.toolCall.toolCallId.split('-')[0]), ['plan', 'command', 'edit']);
      const commandId = editor.permissions[1]?.toolCall.toolCallId ?? '';
      assert.deepEqual(toolCallUpdates(editor.updates, commandId).map((update) => update.status), ['failed']);
      const editUpdates = toolCallUpdates(editor.updates, editor.permissions[2]?.toolCall.toolCallId ?? '');
      assert.equal(editUpdates.at(-1)?.status, 'failed');
      assert.match(editUpdates.at(-1)?.title ?? '', /^Rejected src\/greet\.js/);
      assert.deepEqual(editor.writes, []);
      assert.deepEqual(readFileSync(greet), before);
    } finally {
      await editor.close();
    }
  });
});

test('plumbline acp --approve auto --yes: no plan or file question (the command is still asked), and the change lands through the editor', { timeout: 120000 }, async () => {
  await withRun(async (repo, server) => {
    const greet = join(repo.root, 'src', 'greet.js');
    const disk = readFileSync(greet, 'utf8');
    const editor = startEditor(repo, fakeProviderEnv(server), { answer: answerBy({ plan: 'cancel', command: 'run', review: 'reject' }), flags: ['--approve', 'auto', '--yes'] });
    try {
      const { sessionId } = await openSession(editor, repo);
      const result = await editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'Make the greeting warmer' }] });
      assert.equal(result.stopReason, 'end_turn', editor.stderr());
      assert.deepEqual(editor.permissions.map((request) => request.toolCall.toolCallId.split('-')[0]), ['command']);
      assert.deepEqual(editor.writes.map((write) => write.path), [greet]);
      assert.equal(readFileSync(greet, 'utf8'), `// A warm greeting.\n${disk}`);
    } finally {
      await editor.close();
    }
  });
});

test('plumbline acp: session/cancel while a worker waits on a command stops the run: stop reason cancelled, no review, nothing written', { timeout: 120000 }, async () => {
  await withRun(async (repo, server) => {
    const greet = join(repo.root, 'src', 'greet.js');
    const before = readFileSync(greet);
    let sessionId = '';
    const editor = startEditor(repo, fakeProviderEnv(server), {
      // The plan is approved; when the command is asked about, the user presses stop: the client
      // cancels the session and withdraws the question, as ACP says.
      answer: async ({ toolCall }, agent) => {
        if (toolCall.toolCallId.startsWith('plan-')) return selected('approve');
        await agent.notify(acp.methods.agent.session.cancel, { sessionId });
        return { outcome: { outcome: 'cancelled' } };
      },
    });
    try {
      sessionId = (await openSession(editor, repo)).sessionId;
      // The session's folder is the client's word: a relative or missing one is refused.
      for (const cwd of ['relative/path', join(repo.root, 'missing')]) {
        await assert.rejects(editor.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] }), (error: unknown) => error instanceof acp.RequestError && error.code === -32602);
      }
      const result = await editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'Make the greeting warmer' }] });
      assert.equal(result.stopReason, 'cancelled', editor.stderr());
      assert.deepEqual(editor.permissions.map((request) => request.toolCall.toolCallId.split('-')[0]), ['plan', 'command']);
      assert.deepEqual(editor.writes, []);
      assert.deepEqual(readFileSync(greet), before);
    } finally {
      await editor.close();
    }
  });
});

test('plumbline acp: without a model key, session/new answers auth_required and names the variables', { timeout: 60000 }, async () => {
  const repo = makeRepo('greeter');
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI|ANTHROPIC)_/.test(name)));
  const editor = startEditor(repo, env, { answer: () => ({ outcome: { outcome: 'cancelled' } }) });
  try {
    await editor.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
    await assert.rejects(editor.agent.request(acp.methods.agent.session.new, { cwd: repo.root, mcpServers: [] }), (error: unknown) => {
      assert.ok(error instanceof acp.RequestError);
      assert.equal(error.code, -32000);
      assert.match(error.message + JSON.stringify(error.data ?? ''), /ANTHROPIC_API_KEY/);
      return true;
    });
  } finally {
    await editor.close();
    repo.remove();
  }
});

test('plumbline acp --mcp-config FILE: the editor\'s sessions get the user\'s own MCP servers (their read-only tools offered while planning)', { timeout: 120000 }, async () => {
  await withRun(async (repo, server) => {
    const dir = mkdtempSync(join(tmpdir(), 'plumbline-acp-mcp-'));
    const config = join(dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { everything: { command: join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything') } } }));
    const editor = startEditor(repo, fakeProviderEnv(server), { answer: answerBy({ plan: 'cancel', command: 'run', review: 'reject' }), flags: ['--approve', 'auto', '--yes', '--mcp-config', config] });
    try {
      const { sessionId } = await openSession(editor, repo);
      const result = await editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'Make the greeting warmer' }] });
      assert.equal(result.stopReason, 'end_turn', editor.stderr());
      const planning = requestsOf(server, 'orchestrator')[0];
      assert.match(JSON.stringify(planning?.body ?? ''), /"mcp__everything__get-sum"/, 'the orchestrator is offered the user\'s read-only MCP tools');
    } finally {
      await editor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
