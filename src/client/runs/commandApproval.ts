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

/** The transcript line for a command's outcome. */
export function describeCommandOutcome(event: { command: string; decision: string; exitCode: number | null; timedOut: boolean; reasons: readonly string[] }): string {
  if (event.decision === 'refused') return `Refused to run \`${event.command}\`: ${event.reasons.join('; ')}`;
  if (event.decision === 'denied') return `Did not run \`${event.command}\` (denied): ${event.reasons.join('; ')}`;
  const how = event.decision === 'approved' ? 'Ran (approved by you)' : 'Ran';
  return `${how} \`${event.command}\` in an isolated copy: ${event.timedOut ? 'timed out' : `exit code ${String(event.exitCode)}`}`;
}
