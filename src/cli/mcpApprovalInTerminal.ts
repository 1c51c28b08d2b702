import type * as z from 'zod';
import type { mcpServerApprovalParamsSchema, McpServerApprovalAnswer } from '../protocol/mcp';
import { askInTerminal } from './askInTerminal';
import { paint, safeForTerminal, type Terminal } from './terminal';

type Question = z.infer<typeof mcpServerApprovalParamsSchema>;

/** The question as the terminal shows it; every part comes from a workspace file, so it is made safe to print. */
export function formatMcpServerQuestion(raw: Question): string {
  const question = safeForTerminal({ ...raw, summary: raw.summary.replace(/\r?\n/g, '\\n') });
  const what = question.transport === 'stdio' ? `runs: ${question.summary}` : `connects to: ${question.summary}`;
  const environment = question.environment.length > 0 ? `\n  with the variables: ${question.environment.join(', ')}` : '';
  return `The workspace defines the MCP server "${question.name}" (${question.source}), which ${what}${environment}\n  It runs code from this workspace (sandboxed where this machine has a sandbox).`;
}

/**
 * Asks on the terminal whether a server the workspace defines may run (remembered for this exact
 * definition). Without a terminal nobody can say yes: it is not started, and the user reads why.
 */
export async function approveMcpServerInTerminal(question: Question, canAsk: boolean, terminal: Terminal, signal: AbortSignal): Promise<McpServerApprovalAnswer> {
  if (!canAsk) {
    process.stderr.write(`${formatMcpServerQuestion(question)}\nNot started: there is no terminal to ask for approval (run plumbline on a terminal once to approve it, or define it in your own --mcp-config file).\n`);
    return { decision: 'deny', unanswered: 'no terminal to ask on' };
  }
  terminal.settle();
  terminal.write(`\n${paint(terminal, 'yellow', formatMcpServerQuestion(question))}\n`);
  const answer = await askInTerminal('Start it, and remember this definition? [y/N] ', 'n', signal, 'n');
  return { decision: /^y(es)?$/i.test(answer) ? 'approve' : 'deny' };
}
