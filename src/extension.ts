import * as vscode from 'vscode';
import type { PlumblineApi } from './client/api';
import { ApiKeyStore } from './client/models/apiKeys';
import { ModelReadiness } from './client/models/modelReadiness';
import { commandIds, coreCommandHandlers, registerCommands } from './client/commands';
import { AgentServerController } from './client/agentServer/serverController';
import { SidebarProvider } from './client/sidebar/sidebarProvider';
import { InlineReviewController } from './client/review/inlineReviewController';
import { RunController } from './client/runs/runController';
import { runCommandHandlers } from './client/runs/runCommands';
import { taskCommandHandlers } from './client/runs/taskCommands';
import { TestDiagnostics } from './client/runs/testDiagnostics';
import { createRunStatusBar } from './client/runs/runStatusBar';
import { ModelErrorNotices } from './client/runs/modelErrorNotice';
import { SandboxStatusWatcher } from './client/agentServer/sandboxStatus';
import { McpStatusWatcher } from './client/mcp/mcpStatusWatcher';
import { registerVsCodeToolBridge } from './client/mcp/vscodeToolBridge';
import { plumblineVersion } from './protocol/version';
import { createChatHandler, registerChatParticipant } from './client/chat/chatParticipant';
import { registerLanguageModelTools } from './client/chat/languageModelTools';

let activeServer: AgentServerController | undefined;

/**
 * Wiring only: the output channel, the agent server (started in the background so activation never
 * waits on a process), the sidebar and the commands. Everything registered here is disposed with
 * the extension.
 */
export function activate(context: vscode.ExtensionContext): PlumblineApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Plumbline', { log: true });
  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const keys = new ApiKeyStore(context.secrets);
  const clientModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'languageClient.js').fsPath;
  const server = new AgentServerController(serverModule, log, () => keys.serverEnvironment(), clientModule);
  const review = new InlineReviewController();
  const runs = new RunController(server, review, log);
  const testDiagnostics = new TestDiagnostics(runs);
  const sandbox = new SandboxStatusWatcher(server, log);
  const readiness = new ModelReadiness(server, log);
  const mcp = new McpStatusWatcher(server, runs, log);
  const sidebar = new SidebarProvider(
    context.extensionUri,
    server,
    runs,
    sandbox,
    readiness,
    mcp,
    {
      restartServer: async () => {
        await vscode.commands.executeCommand(commandIds.restartServer);
      },
      showLog: () => log.show(true),
    },
    log,
  );

  context.subscriptions.push(
    log,
    sandbox,
    readiness,
    mcp,
    sidebar,
    review,
    runs,
    createRunStatusBar(runs),
    new ModelErrorNotices(runs),
    testDiagnostics,
    vscode.window.registerWebviewViewProvider(SidebarProvider.viewId, sidebar),
    // VS Code's Chat view (`@plumbline`) and its agents (the language model tools) reach the same runs.
    registerChatParticipant(runs, context.extensionUri),
    registerLanguageModelTools(runs, server),
    // The tools of the MCP servers VS Code runs, for the agent server's runs (each call approved).
    registerVsCodeToolBridge(server),
    ...registerCommands({
      ...coreCommandHandlers(server, log, keys),
      ...runCommandHandlers(context, runs, server),
      ...taskCommandHandlers(runs, server, testDiagnostics),
    }),
    // Keys reach the server only through its environment, so a new key means a fresh server.
    keys.onDidChange(() => void server.restart()),
    // The server is told about trust at start: trusting the workspace starts one that may run.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.restart()),
  );

  activeServer = server;
  void server.start();
  const activationMs = performance.now() - started;
  log.info(`Plumbline ${plumblineVersion} activated in ${activationMs.toFixed(1)} ms.`);
  return { activationMs, serverPhaseAtActivation: server.view.phase, server, sidebar, runs, review, testDiagnostics, sandbox, mcp, chatHandler: createChatHandler(runs) };
}

/** Stops the agent server cleanly; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  const server = activeServer;
  activeServer = undefined;
  await server?.dispose();
}
