import type { CommandApprovalParams } from '../../protocol/run';

/** The buttons of the command approval dialog; anything else (Escape, closing it) denies. */
export const runOnceButton = 'Run Once';
export const denyButton = 'Deny';

/**
 * The modal warning for a command a worker asked to run: the message names the step and whether
 * the command is destructive; the detail shows the whole command line, where it would run, the
 * model's stated purpose (quoted as its words) and every reason the policy asked. Pure, so it is
 * tested without VS Code.
 */
export function commandApprovalMessage(params: CommandApprovalParams): { message: string; detail: string } {
  if (params.tool !== undefined) return toolCallApprovalMessage(params, params.tool);
  const message = params.destructive
    ? `Plumbline: step ${params.stepId} wants to run a destructive command`
    : `Plumbline: step ${params.stepId} wants to run a command`;
  const detail = [
    params.command,
    '',
    `Runs in ${params.cwd}.`,
    `The model says it is for: "${params.purpose}"`,
    '',
    'Asked because:',
    ...params.reasons.map((reason) => `• ${reason}`),
  ].join('\n');
  return { message, detail };
}

/** Where an MCP tool comes from, for people: VS Code's own servers' tools come through the `vscode` entry. */
function serverOf(server: string, name: string): string {
  return name.startsWith('vscode__') && server === 'vscode' ? 'an MCP server VS Code runs' : `the MCP server "${server}"`;
}

/**
 * A call to an MCP tool that is not read-only, worded as a tool call: which tool of which server,
 * and the arguments as the model wrote them (data), with what it means to say yes.
 */
function toolCallApprovalMessage(params: CommandApprovalParams, tool: NonNullable<CommandApprovalParams['tool']>): { message: string; detail: string } {
  const message = `Plumbline: step ${params.stepId} wants to call the tool "${tool.tool}" of ${serverOf(tool.server, tool.name)}`;
  const detail = [
    `${tool.name} with the arguments:`,
    tool.arguments,
    '',
    'The tool acts outside Plumbline\'s review: what it changes is not staged, not reviewed and not undone by Undo Run.',
    '',
    'Asked because:',
    ...params.reasons.map((reason) => `• ${reason}`),
  ].join('\n');
  return { message, detail };
}

/** The transcript line for a command's outcome. */
export function describeCommandOutcome(event: { command: string; decision: string; exitCode: number | null; timedOut: boolean; reasons: readonly string[] }): string {
  if (event.decision === 'refused') return `Refused to run \`${event.command}\`: ${event.reasons.join('; ')}`;
  if (event.decision === 'denied') return `Did not run \`${event.command}\` (denied): ${event.reasons.join('; ')}`;
  const how = event.decision === 'approved' ? 'Ran (approved by you)' : 'Ran';
  return `${how} \`${event.command}\` in an isolated copy: ${event.timedOut ? 'timed out' : `exit code ${String(event.exitCode)}`}`;
}
