// The heavy half of the extension: vscode-languageclient (with vscode-jsonrpc, the LSP protocol,
// minimatch and semver) and the handlers of the server's requests to VS Code. esbuild bundles it
// on its own as `dist/languageClient.js`, which `AgentServerController` requires when it first
// starts the server (after activate() has returned), so loading the extension does not pay for it.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  ResponseError,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { InitializationOptions } from '../../protocol/initialization';
import { lmChatRequest, lmEventNotification, saveDocumentsRequest, symbolsRequest } from '../../protocol/methods';
import { createWire, WireError, type RawConnection } from '../../protocol/wire';
import { answerSymbolQuery } from './symbolQueries';
import { runLmChat } from '../models/lmBridge';

/**
 * The part of a `LanguageClient` the controller uses: its lifecycle, and the raw connection its
 * typed wire (`protocol/wire.ts`) runs over.
 */
export interface AgentClient extends RawConnection<vscode.CancellationToken> {
  start(): Promise<void>;
  dispose(timeout?: number): Promise<void>;
  isRunning(): boolean;
  /** The server's version once it is running. */
  serverVersion(): string | null;
}

export interface AgentClientOptions {
  readonly serverModule: string;
  readonly env: Record<string, string>;
  readonly log: vscode.LogOutputChannel;
  readonly initializationOptions: InitializationOptions;
  /** The server process closed: restart it or not. */
  readonly onClosed: () => { restart: boolean; message: string };
  /** The client reached `running` (true) or `starting` (false). */
  readonly onState: (running: boolean) => void;
}

export function createAgentClient(options: AgentClientOptions): AgentClient {
  const { serverModule, env } = options;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { env, execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    // Every text document, so the engine sees unsaved buffers wherever they are.
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    outputChannel: options.log,
    initializationOptions: options.initializationOptions,
    errorHandler: {
      error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue, handled: true }),
      closed: (): CloseHandlerResult => {
        const { restart, message } = options.onClosed();
        return { action: restart ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true, message };
      },
    },
  };
  const client = new LanguageClient('plumbline', 'Plumbline Agent Server', serverOptions, clientOptions);
  const raw = rawConnection(client);
  const wire = createWire<'client', vscode.CancellationToken>(raw, options.log);
  // The engine may run its model calls on VS Code's own language models through this bridge.
  wire.onRequest(lmChatRequest, (params, token) => runLmChat(params, token, (requestId, event) => wire.notify(lmEventNotification, { requestId, event })));
  wire.onRequest(symbolsRequest, (query) => answerSymbolQuery(query));
  wire.onRequest(saveDocumentsRequest, ({ uris }) => saveDocuments(uris));
  client.onDidChangeState((event) => {
    if (event.newState === State.Running) options.onState(true);
    else if (event.newState === State.Starting) options.onState(false);
  });
  return {
    ...raw,
    start: () => client.start(),
    dispose: (timeout) => client.dispose(timeout),
    isRunning: () => client.isRunning(),
    serverVersion: () => client.initializeResult?.serverInfo?.version ?? null,
  };
}

/** The language client as the typed wire's raw connection; a `WireError` a handler throws is answered with its code. */
function rawConnection(client: LanguageClient): RawConnection<vscode.CancellationToken> {
  return {
    // Pass the token only when there is one: an explicit `undefined` would be sent as a second param.
    sendRequest: (method, params, token) =>
      token === undefined ? client.sendRequest<unknown>(method, params) : client.sendRequest<unknown>(method, params, token),
    sendNotification: (method, params) => client.sendNotification(method, params),
    onNotification: (method, handler) => client.onNotification(method, (params: unknown) => handler(params)),
    onRequest: (method, handler) =>
      client.onRequest(method, async (params: unknown, token: vscode.CancellationToken) => {
        try {
          return await handler(params, token);
        } catch (error) {
          throw error instanceof WireError ? new ResponseError(error.code, error.message) : error;
        }
      }),
  };
}

/** Saves the documents an approved edit changed; a document VS Code does not hold is already on disk. */
async function saveDocuments(uris: readonly string[]): Promise<{ saved: string[] }> {
  const saved: string[] = [];
  for (const uri of uris) {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
    if (document !== undefined && (await document.save())) saved.push(uri);
  }
  return { saved };
}
