import * as vscode from 'vscode';
import { taskTextSchema, type WebviewRequest } from '../../protocol/webviewMessages';
import type { RunController } from '../runs/runController';
import { commandIds } from '../commands';
import { writeApprovalMode } from './sidebarModel';
import { manageTrustCommand, restrictedModeMessage } from '../restrictedMode';
import { openMcpDefinition, type McpStatusWatcher } from '../mcp/mcpStatusWatcher';

/** What the sidebar's buttons do beyond the run commands; each is also a registered command. */
export interface SidebarActions {
  restartServer(): Promise<void>;
  showLog(): void;
}

export interface SidebarRequestContext {
  readonly runs: RunController;
  readonly actions: SidebarActions;
  readonly mcp: McpStatusWatcher;
  refreshHistory(): Promise<void>;
}

/**
 * Carries out one validated webview request through the same commands the palette runs. A
 * rejection becomes the request's error `response`, which the sidebar shows beside the control.
 */
export async function handleSidebarRequest(request: WebviewRequest, context: SidebarRequestContext): Promise<void> {
  const { runs } = context;
  switch (request.method) {
    case 'server/restart':
      return context.actions.restartServer();
    case 'log/show':
      context.actions.showLog();
      return;
    case 'task/start': {
      // Checked again here: the schema ran in the webview's message handler, but the host trusts only itself.
      const task = taskTextSchema.parse(request.task);
      if (!vscode.workspace.isTrusted) throw new Error(restrictedModeMessage);
      if (runs.running) throw new Error('A run is in progress: cancel it or wait for it to finish.');
      const runId = await vscode.commands.executeCommand<string | undefined>(commandIds.newTask, task);
      if (runId === undefined) throw new Error('The task did not start (the notification says why).');
      return;
    }
    case 'run/cancel':
      await vscode.commands.executeCommand(commandIds.cancelRun);
      return;
    case 'plan/open':
      await vscode.commands.executeCommand(commandIds.openPlan);
      return;
    case 'plan/answer':
      if (!runs.answerApproval(request.runId, request.decision)) throw new Error('The plan is no longer waiting for an answer.');
      return;
    case 'run/resume':
      if (runs.running) throw new Error('A run is in progress: cancel it or wait for it to finish.');
      await vscode.commands.executeCommand(commandIds.resumeRun, request.runId);
      return;
    case 'run/undo':
      // The command asks, naming the files it will restore.
      await vscode.commands.executeCommand(commandIds.undoRun, { runId: request.runId, ask: true });
      await context.refreshHistory();
      return;
    case 'run/open':
      await vscode.commands.executeCommand(commandIds.openRun, request.runId);
      return;
    case 'history/refresh':
      return context.refreshHistory();
    case 'settings/approvalMode':
      return writeApprovalMode(request.mode);
    case 'models/select':
      await vscode.commands.executeCommand(commandIds.selectModels);
      return;
    case 'models/configure':
      await vscode.commands.executeCommand(commandIds.configureModels);
      return;
    case 'question/answer':
      if (!runs.questions.answer(request.runId, request.questionId, request.answer)) throw new Error('The question is no longer open: it was answered, timed out, or its run ended.');
      return;
    case 'workspace/trust':
      await vscode.commands.executeCommand(manageTrustCommand);
      return;
    case 'clipboard/write':
      await vscode.env.clipboard.writeText(request.text);
      return;
    case 'mcp/start':
      // A workspace's server runs its code: refused in Restricted Mode here, and by the server.
      if (!vscode.workspace.isTrusted) throw new Error(restrictedModeMessage);
      return context.mcp.start(request.name);
    case 'mcp/open': {
      // The webview names a server; where it is defined is what the agent server reported, not what the page says.
      const server = context.mcp.current?.servers.find((entry) => entry.name === request.name);
      if (server === undefined) throw new Error(`No MCP server named "${request.name}" is configured.`);
      return openMcpDefinition(server.source);
    }
  }
}
