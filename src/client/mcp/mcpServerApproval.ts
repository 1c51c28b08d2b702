import * as vscode from 'vscode';
import type * as z from 'zod';
import type { McpServerApprovalAnswer, mcpServerApprovalParamsSchema } from '../../protocol/mcp';

type Question = z.infer<typeof mcpServerApprovalParamsSchema>;

const startButton = 'Start and Remember';
const declineButton = 'Do Not Start';

/**
 * The server asks before a server the workspace defines runs for the first time (or after its
 * definition changed): one modal that says what would run. Anything but the start button, a
 * dismissal included, is a no that stands until the definition changes.
 */
export async function approveMcpServer(question: Question, token: vscode.CancellationToken, log: vscode.LogOutputChannel): Promise<McpServerApprovalAnswer> {
  if (token.isCancellationRequested) return { decision: 'deny', unanswered: 'the question was withdrawn' };
  const what = question.transport === 'stdio' ? `It runs: ${question.summary}` : `It connects to: ${question.summary}`;
  const environment = question.environment.length > 0 ? `\n\nVariables it sets or reads: ${question.environment.join(', ')}.` : '';
  const detail = `${what}${environment}\n\nIt runs code from this workspace (${question.source}), sandboxed where this machine has a sandbox: the workspace readable, not writable; no network. Its tools act outside Plumbline's review. You are asked again if the definition changes.`;
  log.info(`Asking whether to start the workspace's MCP server "${question.name}" (${question.source})`);
  const choice = await vscode.window.showWarningMessage(`Start the MCP server "${question.name}" defined by this workspace?`, { modal: true, detail }, startButton, declineButton);
  if (token.isCancellationRequested) return { decision: 'deny', unanswered: 'the question was withdrawn' };
  return { decision: choice === startButton ? 'approve' : 'deny' };
}
