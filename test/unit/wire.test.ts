import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createConnection, ProposedFeatures, ResponseError as ServerResponseError } from 'vscode-languageserver/node';
import {
  createMessageConnection,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-languageserver-protocol/node';
import { createCliWire } from '../../src/cli/serverConnection';
import {
  allMethods,
  commandApprovalRequest,
  lmEventNotification,
  planApprovalRequest,
  reviewRequest,
  runCancelRequest,
  runEventNotification,
  runStartRequest,
  sandboxConsentRequest,
  saveDocumentsRequest,
  statusRequest,
} from '../../src/protocol/methods';
import { createWire, WireError, wireErrorCodes } from '../../src/protocol/wire';
import { serverWire, type ServerWire } from '../../src/server/typedConnection';
import { repoRoot } from './support/bundles';
import { rawPair, testToken, type TestToken } from './support/wirePair';

const plan = {
  runId: 'r1', task: 'Rename', summary: 'Rename things', status: 'draft', notes: [], revision: 1, cost: { usd: 0, unpricedCalls: 0 },
  steps: [{ id: 's1', title: 'Rename', instructions: 'Do it', files: ['a.js'], dependsOn: [], status: 'pending', attempts: [], changedFiles: [] }],
};

/** A well-formed question of each kind the server puts to the user, a malformed one, its refusal, and an eager yes. */
const questions = [
  { method: planApprovalRequest, good: { runId: 'r1', plan, markdown: '# Plan', planPath: '/w/.plumbline/runs/r1/plan.md' }, bad: { runId: 'r1', plan: { ...plan, steps: 'all of them' }, markdown: '', planPath: '' }, field: 'plan.steps', refusal: { decision: 'cancel' }, yes: { decision: 'approve' } },
  { method: commandApprovalRequest, good: { runId: 'r1', stepId: 's1', command: 'npm run lint', purpose: 'lint', cwd: '/w', reasons: ['not on the allow list'], destructive: false }, bad: { runId: 'r1', stepId: 's1', command: ['rm', '-rf', '/'] }, field: 'command', refusal: { decision: 'deny' }, yes: { decision: 'run' } },
  { method: sandboxConsentRequest, good: { runId: 'r1', reason: 'no bwrap', remedy: 'install it' }, bad: { runId: 'r1', reason: 'no bwrap' }, field: 'remedy', refusal: { decision: 'cancel' }, yes: { decision: 'run' } },
  { method: reviewRequest, good: { runId: 'r1', files: [] }, bad: { runId: 'r1', files: [{ path: 'a.js' }] }, field: 'files.0', refusal: { decisions: [] }, yes: { decisions: [{ path: 'a.js', hunks: 'all' }] } },
] as const;

function logLines(): { warn(message: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(message) };
}

/** The server's and a client's typed wires over an in-memory link, with their logs. */
function wires() {
  const [serverEnd, clientEnd] = rawPair<TestToken>(testToken);
  const serverLog = logLines();
  const clientLog = logLines();
  return {
    serverEnd,
    clientEnd,
    serverLog,
    clientLog,
    server: createWire<'server', TestToken>(serverEnd, serverLog),
    client: createWire<'client', TestToken>(clientEnd, clientLog),
  };
}

describe('the typed wire (protocol/wire.ts)', () => {
  test('a request is validated both ways: the handler gets parsed params (defaults applied), the caller a checked result', async () => {
    const { server, client, clientEnd } = wires();
    let received: unknown;
    server.onRequest(runStartRequest, (params) => {
      received = params;
      return { runId: 'r1', planPath: '/p' };
    });
    assert.deepEqual(await client.request(runStartRequest, { task: '  Rename greet  ' }), { runId: 'r1', planPath: '/p' });
    assert.deepEqual(received, { task: 'Rename greet', approve: 'step', maxParallel: 4, reviewPlan: true });
    assert.deepEqual(clientEnd.sent, [{ kind: 'request', method: 'plumbline/run/start', params: { task: '  Rename greet  ' } }], 'what the caller wrote is what is sent');
  });

  test('malformed params of an ordinary request: InvalidParams naming the field, the handler never runs, the fields are logged', async () => {
    const { server, serverEnd, clientEnd, serverLog } = wires();
    let ran = false;
    server.onRequest(statusRequest, () => {
      ran = true;
      return undefined as never;
    });
    await assert.rejects(clientEnd.sendRaw(statusRequest.method, { verbose: true }), (error: unknown) => {
      assert.ok(error instanceof WireError);
      assert.equal(error.code, wireErrorCodes.invalidParams);
      assert.match(error.message, /^Invalid data for plumbline\/status: .*verbose/);
      return true;
    });
    assert.equal(ran, false);
    assert.match(serverLog.lines.join('\n'), /plumbline\/status: .*verbose/);
    assert.equal(serverEnd.sent.length, 0);
  });

  for (const question of questions) {
    test(`${question.method.method}: a malformed question is answered ${JSON.stringify(question.refusal)} without asking, and the fields are logged`, async () => {
      const { server, client, serverEnd, clientLog } = wires();
      let asked = 0;
      client.onRequest(question.method as typeof reviewRequest, () => {
        asked += 1;
        return question.yes as never;
      });
      assert.deepEqual(await serverEnd.sendRaw(question.method.method, question.bad), question.refusal);
      assert.equal(asked, 0, 'the user is never asked a malformed question');
      assert.ok(clientLog.lines.some((line) => line.startsWith(`Invalid data for ${question.method.method}: ${question.field}`)), clientLog.lines.join('\n'));
      // A well-formed one is asked, and the answer goes through.
      assert.deepEqual(await server.request(question.method as typeof reviewRequest, question.good as never), question.yes);
      assert.equal(asked, 1);
    });

    test(`${question.method.method}: a malformed answer means ${JSON.stringify(question.refusal)}, on the side that sent it and on the side that asked`, async () => {
      const { server, serverEnd, clientEnd, serverLog, clientLog } = wires();
      // A client whose handler answers nonsense: its own wire sends the refusal instead.
      createWire<'client', TestToken>(clientEnd, clientLog).onRequest(question.method as typeof reviewRequest, () => ({ decision: 'yes please', decisions: 'all' }) as never);
      assert.deepEqual(await server.request(question.method as typeof reviewRequest, question.good as never), question.refusal);
      assert.ok(clientLog.lines.some((line) => line.includes('a malformed answer is not sent')), clientLog.lines.join('\n'));

      // A peer that puts nonsense on the wire itself: the asking side takes the refusal.
      const [asking, answering] = rawPair<TestToken>(testToken);
      answering.onRequest(question.method.method, () => Promise.resolve({ decision: 'yes please' }));
      const log = logLines();
      assert.deepEqual(await createWire<'server', TestToken>(asking, log).request(question.method as typeof reviewRequest, question.good as never), question.refusal);
      assert.ok(log.lines.some((line) => line.startsWith(`Invalid data for ${question.method.method}`) && line.includes('a malformed answer')), log.lines.join('\n'));
      assert.equal(serverEnd.sent.length, 1);
      assert.equal(serverLog.lines.length, 0);
    });
  }

  test('a question the server cannot put correctly is not sent: the refusal stands for it', async () => {
    const { server, serverEnd, serverLog } = wires();
    assert.deepEqual(await server.request(planApprovalRequest, { runId: 'r1', plan: { ...plan, steps: 'all' } as never, markdown: '', planPath: '' }), { decision: 'cancel' });
    assert.equal(serverEnd.sent.length, 0);
    assert.match(serverLog.lines.join('\n'), /plumbline\/plan\/approve: plan\.steps.*not sent/);
  });

  test('an ordinary request: a malformed answer rejects (InternalError naming the field) on both sides; malformed params are not sent', async () => {
    const { server, client, clientEnd, serverLog, clientLog } = wires();
    server.onRequest(runCancelRequest, () => ({ cancelled: 'maybe' }) as never);
    await assert.rejects(client.request(runCancelRequest, {}), (error: unknown) => error instanceof WireError && error.code === wireErrorCodes.internalError && /cancelled/.test(error.message));
    assert.match(serverLog.lines.join('\n'), /plumbline\/run\/cancel: cancelled/);

    const [asking, answering] = rawPair<TestToken>(testToken);
    answering.onRequest(runCancelRequest.method, () => Promise.resolve({ cancelled: 'maybe' }));
    await assert.rejects(createWire<'client', TestToken>(asking, clientLog).request(runCancelRequest, {}), /Invalid data for plumbline\/run\/cancel: cancelled/);

    await assert.rejects(client.request(runStartRequest, { task: '   ' }), (error: unknown) => error instanceof WireError && error.code === wireErrorCodes.invalidParams && /task: the task is empty/.test(error.message));
    assert.equal(clientEnd.sent.filter((message) => message.method === runStartRequest.method).length, 0);
  });

  test('a handler that throws answers an error, even for a question (the server counts it as a refusal)', async () => {
    const { server, client } = wires();
    client.onRequest(planApprovalRequest, () => {
      throw new Error('no window to ask in');
    });
    await assert.rejects(server.request(planApprovalRequest, questions[0].good as never), /no window to ask in/);
  });

  test('cancellation reaches the handler through the side’s own token', async () => {
    const { server, client, serverEnd } = wires();
    const token = testToken();
    let cancelledInHandler = false;
    client.onRequest(commandApprovalRequest, (_question, given) => {
      given.onCancellationRequested(() => (cancelledInHandler = true));
      return { decision: 'deny' };
    });
    await server.request(commandApprovalRequest, questions[1].good as never, token);
    token.cancel();
    assert.equal(cancelledInHandler, true);
    assert.equal(serverEnd.sent.length, 1);
  });

  test('notifications: well-formed ones arrive parsed; malformed ones are dropped on arrival and never sent, with the fields logged', async () => {
    const { server, client, serverEnd, serverLog, clientLog } = wires();
    const events: unknown[] = [];
    client.onNotification(runEventNotification, ({ event }) => events.push(event));
    await server.notify(runEventNotification, { event: { type: 'run/phase', runId: 'r1', phase: 'executing' } });
    assert.equal(events.length, 1);

    await server.notify(runEventNotification, { event: { type: 'run/exploded' } as never });
    assert.equal(serverEnd.sent.length, 1, 'the malformed event is not sent');
    assert.match(serverLog.lines.join('\n'), /plumbline\/run\/event: event.*\(not sent\)/);

    await serverEnd.sendNotification(runEventNotification.method, { event: { type: 'run/exploded' } });
    assert.equal(events.length, 1, 'the malformed event is not handled');
    assert.match(clientLog.lines.join('\n'), /plumbline\/run\/event: event.*\(ignored\)/);

    const received: string[] = [];
    server.onNotification(lmEventNotification, ({ requestId }) => received.push(requestId));
    await client.notify(lmEventNotification, { requestId: 'q1', event: { type: 'text', delta: 'hi' } });
    assert.deepEqual(received, ['q1']);
  });
});

describe('the method table’s refusals', () => {
  test('every question put to the user has its refusal: plan → cancel, command → deny, sandbox → cancel, review → nothing accepted', () => {
    for (const question of questions) assert.deepEqual(question.method.whenMalformed, question.refusal, question.method.method);
    assert.deepEqual(saveDocumentsRequest.whenMalformed, { saved: [] });
  });

  test('each refusal is a valid answer of its method, and only server → client requests have one', () => {
    for (const method of allMethods) {
      if (method.kind !== 'request' || method.whenMalformed === undefined) continue;
      assert.equal(method.direction, 'serverToClient', method.method);
      assert.ok(method.result.safeParse(method.whenMalformed).success, method.method);
    }
  });
});

/** A server connection (vscode-languageserver) and a client connection (the CLI's), linked by pipes. */
function linkedConnections(): { server: ServerWire; serverRaw: ReturnType<typeof createConnection>; cli: MessageConnection; dispose(): void } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverRaw = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const cli = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const server = serverWire(serverRaw);
  serverRaw.listen();
  cli.listen();
  return {
    server,
    serverRaw,
    cli,
    dispose: () => {
      cli.dispose();
      serverRaw.dispose();
    },
  };
}

describe('the real adapters: the server (vscode-languageserver) and the CLI (vscode-jsonrpc) over JSON-RPC', () => {
  test('malformed params get InvalidParams with the field; a ResponseError a handler throws keeps its code; a plain throw is an error', async () => {
    const link = linkedConnections();
    try {
      link.server.onRequest(runCancelRequest, () => {
        // The server's own copy of vscode-jsonrpc, as runService.ts throws it.
        throw new ServerResponseError(ErrorCodes.InvalidRequest, 'Run r1 is still in progress');
      });
      link.server.onRequest(runStartRequest, () => {
        throw new Error('boom');
      });
      await assert.rejects(link.cli.sendRequest(runCancelRequest.method, { runId: 7 }), (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, ErrorCodes.InvalidParams);
        assert.equal(error.message, 'Invalid data for plumbline/run/cancel: runId: Invalid input: expected string, received number');
        return true;
      });
      const cliWire = createCliWire(link.cli, { timeoutMs: 5000, warn: () => undefined });
      await assert.rejects(cliWire.request(runCancelRequest, {}), (error: unknown) => error instanceof ResponseError && error.code === ErrorCodes.InvalidRequest && /still in progress/.test(error.message));
      await assert.rejects(cliWire.request(runStartRequest, { task: 'x' }), /boom/);
    } finally {
      link.dispose();
    }
  });

  test('the CLI never says yes to a malformed question (it used to approve a malformed plan): each gets its refusal', async () => {
    const link = linkedConnections();
    try {
      const warnings: string[] = [];
      const cliWire = createCliWire(link.cli, { timeoutMs: 5000, warn: (message) => warnings.push(message) });
      for (const question of questions) cliWire.onRequest(question.method as typeof reviewRequest, () => question.yes as never);
      for (const question of questions) {
        assert.deepEqual(await link.serverRaw.sendRequest(question.method.method, question.bad), question.refusal, question.method.method);
        assert.deepEqual(await link.server.request(question.method as typeof reviewRequest, question.good as never), question.yes, question.method.method);
      }
      assert.equal(warnings.length, questions.length);
    } finally {
      link.dispose();
    }
  });

  test('the server takes the refusal for a malformed answer, and its AbortSignal cancels the CLI’s handler', async () => {
    const link = linkedConnections();
    try {
      link.cli.onRequest(planApprovalRequest.method, () => ({ decision: 'approve!' }));
      assert.deepEqual(await link.server.request(planApprovalRequest, questions[0].good as never), { decision: 'cancel' });

      const cliWire = createCliWire(link.cli, { timeoutMs: 5000, warn: () => undefined });
      let aborted!: () => void;
      const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
      cliWire.onRequest(sandboxConsentRequest, (_question, signal) => new Promise((resolve) => signal.addEventListener('abort', () => {
        aborted();
        resolve({ decision: 'run' });
      })));
      const controller = new AbortController();
      const answer = link.server.request(sandboxConsentRequest, questions[2].good, controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await abortSeen;
      await answer.catch(() => undefined);
    } finally {
      link.dispose();
    }
  });
});

describe('a method’s direction is part of its type', () => {
  test('each @ts-expect-error line of wireDirection.typecheck.ts fails to compile for its direction, and the rest compiles', () => {
    const source = readFileSync(join(repoRoot, 'test/unit/wireDirection.typecheck.ts'), 'utf8');
    const lines = source.split('\n');
    const expected = lines.flatMap((line, index) => (/^\s*\/\/ @ts-expect-error/.test(line) ? [index + 2] : []));
    assert.ok(expected.length >= 10, 'the probe names every side and every kind of message');
    const probe = lines
      .map((line) => line.replace(/\/\/ @ts-expect-error.*/, '// (expected error)').replaceAll("'../../src/", `'${join(repoRoot, 'src')}/`))
      .join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'plumbline-wire-direction-'));
    try {
      writeFileSync(join(dir, 'probe.ts'), probe);
      const tsc = spawnSync(process.execPath, [
        join(repoRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '--pretty', 'false', '--noErrorTruncation', '--strict', '--exactOptionalPropertyTypes',
        '--noUncheckedIndexedAccess', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', '--lib', 'ES2022,DOM', '--skipLibCheck',
        '--esModuleInterop', '--typeRoots', join(repoRoot, 'node_modules/@types'), '--types', 'node', join(dir, 'probe.ts'),
      ], { encoding: 'utf8', timeout: 120_000 });
      const errors = [...tsc.stdout.matchAll(/probe\.ts\((\d+),\d+\): error (TS\d+): (.*)/g)].map((match) => ({ line: Number(match[1]), code: match[2], message: match[3] ?? '' }));
      assert.deepEqual([...new Set(errors.map((error) => error.line))].sort((a, b) => a - b), expected, tsc.stdout + tsc.stderr);
      for (const error of errors) {
        assert.ok(error.code === 'TS2345' || error.code === 'TS2379', error.message);
        assert.match(error.message, /"serverToClient"/, `line ${error.line}: ${error.message}`);
        assert.match(error.message, /"clientToServer"/, `line ${error.line}: ${error.message}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
