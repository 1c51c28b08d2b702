import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type InitializeResult,
  type MessageConnection,
} from 'vscode-languageserver-protocol/node';
import { plumblineVersion } from '../protocol/version';
import { createWire, WireError, type RawConnection, type Wire } from '../protocol/wire';

/** The agent server bundle sits next to the CLI bundle in `dist/`. */
export function defaultServerPath(): string {
  return join(__dirname, 'server.js');
}

/**
 * The CLI's end of the typed wire (`protocol/wire.ts`): `request` and `notify` for client → server
 * methods, `onRequest` and `onNotification` for the server's questions and events, each validated
 * both ways. Requests time out after `timeoutMs` and fail at once when the server exits.
 */
export type CliWire = Wire<'client', AbortSignal>;

export interface ServerSession extends CliWire {
  readonly initializeResult: InitializeResult;
  readonly initializeMs: number;
  readonly process: ChildProcess;
  /**
   * The raw JSON-RPC connection, for standard LSP messages (document sync) that need no table
   * entry; `plumbline/*` methods go through the typed helpers.
   */
  readonly connection: MessageConnection;
  /** What the server wrote to stderr, for error messages when it dies. */
  stderr(): string;
  /** LSP shutdown + exit, then make sure the process is gone. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly serverPath?: string;
  readonly workspaceFolder: string;
  readonly timeoutMs: number;
  /** Receives the server's `window/logMessage` lines. */
  readonly onLog?: (message: string) => void;
  /** Receives the wire's reports of malformed messages (default: stderr). */
  readonly onWireWarning?: (message: string) => void;
  /** What the CLI answers when the server asks for the `plumbline` settings section. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Sent as initializationOptions.workspaceTrusted (the CLI sends nothing: the user ran it on purpose). */
  readonly workspaceTrusted?: boolean;
  /** `--mcp-config FILE`, absolute: sent as initializationOptions.mcpConfigFile. */
  readonly mcpConfigFile?: string;
  /** Node options for the server process (the benchmarks pass --expose-gc). */
  readonly nodeArgs?: readonly string[];
  /** The server's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** A server process already spawned for this folder (earlyServer.ts), used instead of spawning one. */
  readonly started?: ChildProcessWithoutNullStreams;
  /**
   * Which client the server is told it has (default `cli`: approved changes are written to disk by
   * the server). `acp` (`plumbline acp`) answers `workspace/applyEdit` itself, through the editor.
   */
  readonly host?: 'cli' | 'acp';
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Starts the agent server over stdio with the same Node that runs the CLI, and completes the LSP
 * initialize handshake. Rejects with a message that says what failed if the server dies or stalls.
 */
export async function startServerSession(options: StartOptions): Promise<ServerSession> {
  const child =
    options.started ??
    spawn(process.execPath, [...(options.nodeArgs ?? []), options.serverPath ?? defaultServerPath(), '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env !== undefined ? { env: options.env } : {}),
      cwd: options.workspaceFolder,
    });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start the agent server: ${error.message}`)));
    child.once('exit', (code, signal) =>
      reject(new Error(`the agent server exited (${signal ?? `code ${String(code)}`})${stderr ? `: ${stderr.trim()}` : ''}`)),
    );
  });
  exited.catch(() => undefined);

  const reader = new StreamMessageReader(child.stdout);
  // A server that dies mid-message leaves a partial one behind, and the reader's partial-message
  // timer re-arms itself every 10 s forever (disposing the connection does not clear it): the CLI
  // would never exit. Nothing here listens for partial messages, so the timer is off.
  reader.partialMessageTimeout = 0;
  const connection: MessageConnection = createMessageConnection(reader, new StreamMessageWriter(child.stdin));
  connection.onNotification('window/logMessage', (params: { message?: unknown }) => {
    if (typeof params.message === 'string') options.onLog?.(params.message);
  });
  // The server pulls settings the way it does from VS Code; the CLI answers from its flags.
  connection.onRequest('workspace/configuration', (params: { items?: { section?: string }[] }) =>
    (params.items ?? []).map((item) => (item.section === 'plumbline' ? (options.settings ?? {}) : null)),
  );
  connection.listen();

  const folderUri = pathToFileURL(options.workspaceFolder).toString();
  const started = performance.now();
  const kill = (): void => {
    connection.dispose();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let initializeResult: InitializeResult;
  try {
    initializeResult = await withTimeout(
      Promise.race([
        connection.sendRequest<InitializeResult>('initialize', {
          processId: process.pid,
          clientInfo: { name: 'plumbline-cli', version: plumblineVersion },
          rootUri: folderUri,
          workspaceFolders: [{ uri: folderUri, name: options.workspaceFolder }],
          capabilities: {
            workspace: {
              configuration: true,
              ...(options.host === 'acp' ? { applyEdit: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'delete'] } } : {}),
            },
          },
          initializationOptions: { host: options.host ?? 'cli', ...(options.workspaceTrusted !== undefined ? { workspaceTrusted: options.workspaceTrusted } : {}), ...(options.mcpConfigFile !== undefined ? { mcpConfigFile: options.mcpConfigFile } : {}) },
        }),
        exited,
      ]),
      options.timeoutMs,
      'The agent server',
    );
  } catch (error) {
    kill();
    throw error;
  }
  const initializeMs = performance.now() - started;
  await connection.sendNotification('initialized', {});

  const wire = createCliWire(connection, {
    timeoutMs: options.timeoutMs,
    exited,
    warn: options.onWireWarning ?? ((message) => process.stderr.write(`plumbline: ${message}\n`)),
  });

  return {
    initializeResult,
    initializeMs,
    process: child,
    connection,
    stderr: () => stderr,
    request: (method, params, signal) => wire.request(method, params, signal),
    notify: (method, params) => wire.notify(method, params),
    onRequest: (method, handler) => wire.onRequest(method, handler),
    onNotification: (method, handler) => wire.onNotification(method, handler),
    async close() {
      try {
        await withTimeout(connection.sendRequest('shutdown'), 2000, 'shutdown');
        await connection.sendNotification('exit');
        if (child.exitCode === null && child.signalCode === null) {
          await withTimeout(new Promise<void>((resolve) => child.once('exit', () => resolve())), 2000, 'exit');
        }
      } catch {
        // A server that will not shut down politely is stopped anyway.
      } finally {
        kill();
      }
    },
  };
}

/**
 * The CLI's typed wire over a JSON-RPC connection to the server: cancellation by `AbortSignal`,
 * requests bounded by `timeoutMs` and failing at once when `exited` rejects (the server died).
 */
export function createCliWire(
  connection: MessageConnection,
  options: { readonly timeoutMs: number; readonly exited?: Promise<never>; readonly warn: (message: string) => void },
): CliWire {
  return createWire<'client', AbortSignal>(rawConnection(connection, options.exited, options.timeoutMs), { warn: options.warn });
}

function rawConnection(connection: MessageConnection, exited: Promise<never> | undefined, timeoutMs: number): RawConnection<AbortSignal> {
  return {
    async sendRequest(method, params, signal) {
      const cancellation = new CancellationTokenSource();
      const onAbort = (): void => cancellation.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const answer = connection.sendRequest(method, params, cancellation.token);
        return await withTimeout(exited === undefined ? answer : Promise.race([answer, exited]), timeoutMs, method);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        cancellation.dispose();
      }
    },
    sendNotification: (method, params) => connection.sendNotification(method, params),
    onRequest: (method, handler) =>
      connection.onRequest(method, async (params: unknown, token: CancellationToken) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await handler(params, controller.signal);
        } catch (error) {
          throw error instanceof WireError ? new ResponseError(error.code, error.message) : error;
        } finally {
          subscription.dispose();
        }
      }),
    onNotification: (method, handler) => connection.onNotification(method, (params: unknown) => handler(params)),
  };
}
