import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type MessageConnection,
} from 'vscode-languageserver-protocol/node';
import type * as z from 'zod';
import { describeValidationError, type RequestMethod } from '../protocol/method';
import { plumblineVersion } from '../protocol/version';

/** The agent server bundle sits next to the CLI bundle in `dist/`. */
export function defaultServerPath(): string {
  return join(__dirname, 'server.js');
}

export interface ServerSession {
  readonly initializeResult: InitializeResult;
  readonly initializeMs: number;
  readonly process: ChildProcess;
  /** The raw JSON-RPC connection, for standard LSP messages (document sync) that need no table entry. */
  readonly connection: MessageConnection;
  /** What the server wrote to stderr, for error messages when it dies. */
  stderr(): string;
  request<P extends z.ZodType, R extends z.ZodType>(descriptor: RequestMethod<P, R>, params: z.input<P>): Promise<z.infer<R>>;
  /** LSP shutdown + exit, then make sure the process is gone. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly serverPath?: string;
  readonly workspaceFolder: string;
  readonly timeoutMs: number;
  /** Receives the server's `window/logMessage` lines. */
  readonly onLog?: (message: string) => void;
  /** What the CLI answers when the server asks for the `plumbline` settings section. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Sent as initializationOptions.workspaceTrusted (the CLI sends nothing: the user ran it on purpose). */
  readonly workspaceTrusted?: boolean;
  /** Node options for the server process (the benchmarks pass --expose-gc). */
  readonly nodeArgs?: readonly string[];
  /** The server's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
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
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.serverPath ?? defaultServerPath(), '--stdio'], {
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

  const connection: MessageConnection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
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
          capabilities: { workspace: { configuration: true } },
          initializationOptions: { host: 'cli', ...(options.workspaceTrusted !== undefined ? { workspaceTrusted: options.workspaceTrusted } : {}) },
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

  return {
    initializeResult,
    initializeMs,
    process: child,
    connection,
    stderr: () => stderr,
    async request(descriptor, params) {
      const raw: unknown = await withTimeout(
        Promise.race([connection.sendRequest(descriptor.method, params), exited]),
        options.timeoutMs,
        descriptor.method,
      );
      const parsed = descriptor.result.safeParse(raw);
      if (!parsed.success) throw new Error(describeValidationError(descriptor.method, parsed.error));
      return parsed.data;
    },
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
