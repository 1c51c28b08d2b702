import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initializationOptionsSchema, type InitializationOptions } from '../protocol/initialization';
import { describeValidationError } from '../protocol/method';
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { mcpStartRequest, mcpStatusRequest, listModelsRequest, testModelRequest, pingModelsRequest, runCancelRequest, runResumeRequest, runStartRequest, runsListRequest, runUndoRequest, branchesListRequest, branchReviewRequest, statusRequest, testsRunRequest } from '../protocol/methods';
import { firstFolderPath, RunService, sandboxSettingsOf } from './runService';
import { McpService } from './mcpService';
import { detectSandbox } from '../agent/sandbox/detectSandbox';

import { ModelRegistry } from './modelRegistry';
import { SettingsSource } from './settingsSource';
import { VsCodeLmBridge } from './vscodeLmBridge';
import { plumblineVersion, serverName } from '../protocol/version';
import { buildStatusReport } from './statusReport';
import { serverWire } from './typedConnection';
import { warmFetch } from '../agent/model/warmFetch';
import { restrictedModeMessage } from '../protocol/restrictedMode';

/**
 * The Plumbline agent server: a Node process speaking LSP. The extension starts it over IPC
 * (`--node-ipc`); the CLI and other editors start it with `--stdio`.
 */

const transports = ['--node-ipc', '--stdio', '--socket=', '--pipe='];
if (!process.argv.some((arg) => transports.some((flag) => arg.startsWith(flag)))) {
  process.stderr.write(
    `${serverName} ${plumblineVersion}: start it with --stdio (or --node-ipc from an LSP client).\n`,
  );
  process.exit(2);
}

const startedAt = Date.now();
const connection = createConnection(ProposedFeatures.all);
const wire = serverWire(connection);

// Over stdio, stdout is the protocol stream: a stray console.log would corrupt it, so all
// console output goes to the client's log instead.
console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
console.info = console.log;
console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));

// Full sync of every open document, so the engine sees the user's unsaved buffers.
const documents = new TextDocuments(TextDocument);
let workspaceFolderUris: string[] = [];
let clientName = 'unknown client';
let options: InitializationOptions = { host: 'other', workspaceTrusted: true };
let clientAnswersConfiguration = false;
let clientRegistersConfigurationChanges = false;
const settings = new SettingsSource(connection, () => clientAnswersConfiguration);
const vscodeModels = new VsCodeLmBridge(wire).clientFor;
const models = new ModelRegistry(settings, () => options.host === 'vscode', vscodeModels);
let sandboxProbe: ReturnType<typeof detectSandbox> | undefined;
const mcp = new McpService({
  wire,
  settings,
  workspaceRoot: () => firstFolderPath(workspaceFolderUris),
  workspaceTrusted: () => options.workspaceTrusted,
  configFile: () => options.mcpConfigFile,
  sandbox: () => (sandboxProbe ??= detectSandbox()),
  sandboxSettings: () => sandboxSettingsOf(settings.current.sandbox),
  vscodeClient: () => options.host === 'vscode',
  log: (line) => connection.console.info(line),
});
const runs = new RunService({
  mcp,
  connection,
  wire,
  documents,
  settings,
  models,
  vscodeModels,
  workspaceRoot: () => firstFolderPath(workspaceFolderUris),
  host: () => options.host,
  workspaceTrusted: () => options.workspaceTrusted,
});

connection.onInitialize((params): InitializeResult => {
  // Older LSP clients send only rootUri; it is deprecated but still the only folder they name.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const legacyRoot = params.rootUri;
  workspaceFolderUris = params.workspaceFolders?.map((folder) => folder.uri) ?? (legacyRoot !== null ? [legacyRoot] : []);
  clientName = params.clientInfo?.name ?? clientName;
  clientAnswersConfiguration = params.capabilities.workspace?.configuration === true;
  clientRegistersConfigurationChanges = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  const parsed = initializationOptionsSchema.safeParse(params.initializationOptions ?? undefined);
  // Options from other LSP clients are not fatal, but malformed ones never grant trust: the defaults
  // in Restricted Mode (no run, no command, no test), with the fields at fault in the log.
  if (parsed.success) options = parsed.data;
  else {
    options = { host: 'other', workspaceTrusted: false };
    connection.console.warn(`${describeValidationError('initializationOptions', parsed.error)} (from ${clientName}: treated as an untrusted workspace)`);
  }
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: serverName, version: plumblineVersion },
  };
});

connection.onInitialized(() => {
  void settings.refresh();
  // Node loads its fetch implementation on first use, tens of milliseconds of this thread: done
  // now, while the server waits for its first task, not on the way out of a run's first request.
  setImmediate(() => void warmFetch());
  // Pull model: once registered, the client sends an empty didChangeConfiguration on every change.
  if (clientRegistersConfigurationChanges) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
  connection.console.info(
    `${serverName} ${plumblineVersion} ready (pid ${process.pid}, Node ${process.version}, client: ${clientName}, ` +
      `${workspaceFolderUris.length} workspace folder(s))`,
  );
});

// The client only says "changed"; the settings themselves are pulled, validated, then applied.
connection.onDidChangeConfiguration(() => void settings.refresh());

wire.onRequest(pingModelsRequest, async (_params, signal) => {
  await settings.refresh();
  return { results: await models.ping(signal) };
});

wire.onRequest(testModelRequest, async (params, signal) => {
  await settings.refresh();
  return models.test(params, signal);
});
wire.onRequest(listModelsRequest, (params, signal) => models.list(params, signal));

wire.onRequest(runStartRequest, (params) => runs.start(params));
wire.onRequest(runResumeRequest, (params) => runs.resume(params.runId, params.reviewPlan !== undefined ? { reviewPlan: params.reviewPlan } : {}));
wire.onRequest(runCancelRequest, async (params) => ({ cancelled: await runs.cancel(params.runId) }));
wire.onRequest(runsListRequest, async () => ({ runs: await runs.list() }));
wire.onRequest(branchesListRequest, () => runs.listBranches());
wire.onRequest(branchReviewRequest, (params) => runs.reviewBranch(params));
wire.onRequest(runUndoRequest, async (params) => {
  const report = await runs.undo(params.runId);
  return { restored: [...report.restored], skipped: [...report.skipped], ...(report.nothingToRestore !== undefined ? { nothingToRestore: report.nothingToRestore } : {}) };
});
wire.onRequest(testsRunRequest, async (_params, signal) => {
  // Running the tests runs the workspace's code: not in Restricted Mode.
  if (!options.workspaceTrusted) throw new ResponseError(ErrorCodes.InvalidRequest, restrictedModeMessage);
  return { evidence: await runs.runTests(signal) };
});
// A run in progress is cancelled, not abandoned, when the client shuts the server down.
connection.onShutdown(async () => {
  await runs.dispose();
  await mcp.dispose();
});

wire.onRequest(mcpStatusRequest, async (params, signal) => {
  await settings.refresh();
  return mcp.status(signal, params.start ?? true);
});
wire.onRequest(mcpStartRequest, async (params, signal) => {
  // Starting a workspace's server runs its code: not in Restricted Mode (the hub refuses too).
  if (!options.workspaceTrusted) throw new ResponseError(ErrorCodes.InvalidRequest, restrictedModeMessage);
  await settings.refresh();
  return mcp.start(params.name, signal);
});

wire.onRequest(statusRequest, async () => {
  // Pulled afresh: a client asking right after a settings change may be ahead of its own
  // didChangeConfiguration notification (the sidebar's readiness check is).
  await settings.refresh();
  return buildStatusReport({
    models,
    workspaceFolderUris,
    documents,
    startedAt,
    insideVsCode: options.host === 'vscode',
  });
});

documents.listen(connection);
connection.listen();
