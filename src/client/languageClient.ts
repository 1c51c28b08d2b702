// The heavy half of the extension: vscode-languageclient (with vscode-jsonrpc, the LSP protocol,
// minimatch and semver) and the handlers of the server's requests to VS Code. esbuild bundles it
// on its own as `dist/languageClient.js`, which `AgentServerController` requires when it first
// starts the server (after activate() has returned), so loading the extension does not pay for it.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { InitializationOptions } from '../protocol/initialization';
import { lmChatRequest, lmEventNotification, saveDocumentsRequest, symbolsRequest } from '../protocol/methods';
import { answerSymbolQuery } from './symbolQueries';
import { runLmChat } from './lmBridge';

/** The part of a `LanguageClient` the controller uses. */
export interface AgentClient {
  start(): Promise<void>;
  dispose(timeout?: number): Promise<void>;
  isRunning(): boolean;
  sendRequest(method: string, params: unknown, token?: vscode.CancellationToken): Promise<unknown>;
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable;
  onRequest(method: string, handler: (params: unknown, token: vscode.CancellationToken) => unknown): vscode.Disposable;
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
  // The engine may run its model calls on VS Code's own language models through this bridge.
  client.onRequest(lmChatRequest.method, (params: unknown, token: vscode.CancellationToken) =>
    runLmChat(params, token, (requestId, event) => client.sendNotification(lmEventNotification.method, { requestId, event })),
  );
  client.onRequest(symbolsRequest.method, (params: unknown) => answerSymbolQuery(params));
  client.onRequest(saveDocumentsRequest.method, (params: unknown) => saveDocuments(params));
  client.onDidChangeState((event) => {
    if (event.newState === State.Running) options.onState(true);
    else if (event.newState === State.Starting) options.onState(false);
  });
  return {
    start: () => client.start(),
    dispose: (timeout) => client.dispose(timeout),
    isRunning: () => client.isRunning(),
    // Pass the token only when there is one: an explicit `undefined` would be sent as a second param.
    sendRequest: (method, params, token) =>
      token === undefined ? client.sendRequest<unknown>(method, params) : client.sendRequest<unknown>(method, params, token),
    onNotification: (method, handler) => client.onNotification(method, handler),
    onRequest: (method, handler) => client.onRequest(method, handler),
    serverVersion: () => client.initializeResult?.serverInfo?.version ?? null,
  };
}

/** Saves the documents an approved edit changed; a document VS Code does not hold is already on disk. */
async function saveDocuments(raw: unknown): Promise<{ saved: string[] }> {
  const parsed = saveDocumentsRequest.params.safeParse(raw);
  if (!parsed.success) return { saved: [] };
  const saved: string[] = [];
  for (const uri of parsed.data.uris) {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
    if (document !== undefined && (await document.save())) saved.push(uri);
  }
  return { saved };
}
